using AttentionService.Configuration;

namespace AttentionService.Hosting;

/// <summary>An operator-facing feature: the setting (under <c>Attention:Exposure</c>) that says where it answers, and its path.</summary>
public sealed record ExposedFeature(string Setting, PathString Path, Func<ExposureOptions, FeatureExposure> Exposure);

/// <summary>
/// Every feature whose exposure is a setting. A new one (a page, a diagnostics endpoint) is a property on
/// <see cref="ExposureOptions"/> and a row here; <see cref="ExposureExtensions"/> does the rest.
/// </summary>
public static class ExposedFeatures
{
    public static readonly IReadOnlyList<ExposedFeature> All =
    [
        new(nameof(ExposureOptions.Swagger), SwaggerExtensions.PathPrefix, o => o.Swagger),
        new(nameof(ExposureOptions.Metrics), "/metrics", o => o.Metrics),
        new(nameof(ExposureOptions.Explorer), ExplorerExtensions.PathPrefix, o => o.Explorer),
    ];

    /// <summary>The feature <paramref name="path"/> belongs to, or null for the API and health endpoints.</summary>
    public static ExposedFeature? For(PathString path)
    {
        foreach (var feature in All)
            if (path.StartsWithSegments(feature.Path, StringComparison.OrdinalIgnoreCase)) return feature;
        return null;
    }
}
