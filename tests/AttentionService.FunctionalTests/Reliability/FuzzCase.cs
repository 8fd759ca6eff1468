using System.Text;

namespace AttentionService.Tests.Reliability;

/// <summary>One fuzzed /attend request: the exact body bytes, the content type, and the steps that made it.</summary>
public sealed record FuzzCase(byte[] Body, string? ContentType, IReadOnlyList<string> Steps)
{
    /// <summary>Printable form for a failure report: the steps, the content type and the body with odd bytes escaped.</summary>
    public override string ToString()
    {
        var body = new StringBuilder();
        foreach (var b in Body.Take(600))
            body.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        if (Body.Length > 600) body.Append($"... ({Body.Length} bytes)");
        return $"steps: {(Steps.Count == 0 ? "none" : string.Join("; ", Steps))}\ncontent type: {ContentType ?? "(none)"}\nbody: {body}";
    }
}
