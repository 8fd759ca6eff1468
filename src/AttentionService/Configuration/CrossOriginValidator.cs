using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>
/// Each allowed origin is what a browser sends in <c>Origin</c> (scheme, host, optional port; no path), or <c>*</c>
/// alone: a typo would otherwise silently match no page, and <c>*</c> among others would allow every page.
/// </summary>
public sealed class CrossOriginValidator : IValidateOptions<AttentionOptions>
{
    public const string Key = AttentionOptions.SectionName + ":Cors:AllowedOrigins";

    public const string Allowed = "* alone, or origins such as https://app.example.com (http or https, host, optional port, no path)";

    public ValidateOptionsResult Validate(string? name, AttentionOptions options)
    {
        var origins = options.Cors.AllowedOrigins;
        var failures = new List<string>();
        for (var i = 0; i < origins.Length; i++)
        {
            if (origins[i] == "*" ? origins.Length == 1 : IsOrigin(origins[i])) continue;
            failures.Add($"{Key}:{i} is '{origins[i]}'; allowed: {Allowed}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.UserInfo.Length == 0
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase);
}
