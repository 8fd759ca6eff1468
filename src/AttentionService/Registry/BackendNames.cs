using AttentionService.Contracts;
using AttentionService.Core.Backends;

namespace AttentionService.Registry;

/// <summary>The names backends have on the wire ("onnx", "managed"), in requests, answers and /models.</summary>
public static class BackendNames
{
    public static string ToWireName(this BackendKind kind) => kind switch
    {
        BackendKind.Onnx => "onnx",
        BackendKind.Managed => "managed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static IReadOnlyList<string> All { get; } = Enum.GetValues<BackendKind>().Select(ToWireName).ToArray();

    public static bool TryParse(string name, out BackendKind kind)
    {
        foreach (var candidate in Enum.GetValues<BackendKind>())
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>
    /// The backend a request forces by <paramref name="name"/>: <paramref name="kind"/> null when it names none; the
    /// 400 naming the backends when the name is unknown.
    /// </summary>
    public static InferenceError? ParseRequested(string? name, out BackendKind? kind)
    {
        kind = null;
        if (name is null) return null;
        if (!TryParse(name, out var parsed))
            return InferenceError.BadRequest($"unknown backend '{ClientText.Shorten(name)}'; backends are {string.Join(", ", All)}");
        kind = parsed;
        return null;
    }
}
