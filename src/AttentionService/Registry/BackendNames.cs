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
}
