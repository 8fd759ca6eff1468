using System.Text.Json.Nodes;

namespace AttentionService.Tests.Support;

/// <summary>
/// tests/fixtures/dates/reference.json: torch's own greedy decodes of the shipped <c>dates</c> model (written by
/// scripts/train-dates.py when it exports the graphs), the independent reference for both backends.
/// </summary>
public static class DatesReference
{
    public sealed record Case(string Source, string[] SourceTokens, string[] OutputTokens, string Output, string Stop, float[][] Weights, float[][] Context);

    public static string Path => System.IO.Path.Combine(RepoPaths.Root, "tests", "fixtures", "dates", "reference.json");

    public static IReadOnlyList<Case> Cases { get; } = Load();

    public static Case For(string source) => Cases.Single(c => c.Source == source);

    private static Case[] Load()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path))!;
        return root["cases"]!.AsArray().Select(c => new Case(
            (string)c!["source"]!,
            Strings(c["sourceTokens"]),
            Strings(c["outputTokens"]),
            (string)c["output"]!,
            (string)c["stop"]!,
            AttendClient.Matrix(c["weights"]),
            AttendClient.Matrix(c["context"]))).ToArray();
    }

    public static string[] Strings(JsonNode? node) => node!.AsArray().Select(s => (string)s!).ToArray();
}
