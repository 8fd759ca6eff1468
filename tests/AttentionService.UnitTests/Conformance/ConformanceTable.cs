using System.Text;
using System.Text.RegularExpressions;
using AttentionService.Backends.Managed.Operators;

namespace AttentionService.Tests.Conformance;

/// <summary>
/// The README's section on ONNX's node tests, generated from their outcomes: one row per claimed op (sorted), with the
/// refusals summarised by reason. The same outcomes always give the same text, so a test can hold the README to it.
/// </summary>
public static partial class ConformanceTable
{
    public const string Heading = "### Conformance with ONNX's node tests";

    public static string Section(IReadOnlyList<NodeTest> tests)
    {
        var text = new StringBuilder();
        text.Append(Heading).Append("\n\n");
        text.Append("""
            Every node test in ONNX's backend test suite (ONNX 1.12, as Debian's `libonnx-testdata` ships it) whose graph
            uses only ops the managed backend claims (`OperatorCatalog.SupportedOps`), `_expanded` function graphs included,
            runs on the managed backend in `tests/AttentionService.UnitTests/Conformance`, one test case each. A test
            **passes** when every output has the expected type and shape and every element matches: int64 and bool exactly,
            float32 within 1e-5 + 1e-3·|expected| (ONNX's own runner allows 1e-7 + 1e-3·|expected|), NaN only NaN. It is
            **refused** when the backend declines the model at load, saying why (a type, opset or value it does not serve),
            and **fails** when it loads but then throws or computes something else. A test whose graph uses several ops
            counts under each. A test checks that this table is what the suite computes; when an op changes, paste the
            section its failure prints.

            """.ReplaceLineEndings("\n"));
        text.Append("\n| op | tests | passed | failed | refused | why refused |\n|---|---:|---:|---:|---:|---|\n");
        var totals = new int[4];
        foreach (var op in OperatorCatalog.SupportedOps)
        {
            var outcomes = tests.Where(t => t.OpTypes.Contains(op)).Select(t => t.Outcome).ToArray();
            int Count(NodeTestVerdict verdict) => outcomes.Count(o => o.Verdict == verdict);
            int[] row = [outcomes.Length, Count(NodeTestVerdict.Passed), Count(NodeTestVerdict.Failed), Count(NodeTestVerdict.Refused)];
            for (var i = 0; i < row.Length; i++) totals[i] += row[i];
            var reasons = outcomes.Where(o => o.Verdict == NodeTestVerdict.Refused)
                .GroupBy(o => Reason(o.Detail))
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key} ({g.Count()})");
            text.Append($"| {op} | {row[0]} | {row[1]} | {row[2]} | {row[3]} | {string.Join("; ", reasons)} |\n");
        }
        text.Append($"\n{tests.Count} node tests: {tests.Count(t => t.Outcome.Verdict == NodeTestVerdict.Passed)} passed, "
            + $"{tests.Count(t => t.Outcome.Verdict == NodeTestVerdict.Failed)} failed, "
            + $"{tests.Count(t => t.Outcome.Verdict == NodeTestVerdict.Refused)} refused.\n");
        return text.ToString();
    }

    /// <summary>The section as it stands in <paramref name="readme"/>: from its heading to the next heading, or null.</summary>
    public static string? SectionIn(string readme)
    {
        readme = readme.ReplaceLineEndings("\n");
        var start = readme.IndexOf(Heading + "\n", StringComparison.Ordinal);
        if (start < 0) return null;
        var end = NextHeading().Match(readme, start + Heading.Length);
        return end.Success ? readme[start..(end.Index + 1)] : readme[start..];
    }

    /// <summary>
    /// A refusal's reason without the names of the test's own values, so tests refused alike count together:
    /// "DOUBLE values", "opset 11", "values that are not tensors (sequences, optionals)".
    /// </summary>
    public static string Reason(string refusal)
    {
        if (ElementType().Match(refusal) is { Success: true } type)
            return $"{NodeTestTensors.DataTypeName(int.Parse(type.Groups[1].Value))} values";
        if (Opset().Match(refusal) is { Success: true } opset)
            return $"opset {opset.Groups[1].Value}";
        if (refusal.EndsWith("is not a tensor", StringComparison.Ordinal))
            return "sequence or optional values";
        return Quoted().Replace(ModelPrefix().Replace(refusal, ""), "'…'");
    }

    [GeneratedRegex(@"\n#{1,3} ")]
    private static partial Regex NextHeading();

    [GeneratedRegex(@"has element type \S+ \((\d+)\)")]
    private static partial Regex ElementType();

    [GeneratedRegex(@"imports opset (\d+) of the default ONNX domain")]
    private static partial Regex Opset();

    [GeneratedRegex(@"^model '[^']*' [^:]*: ")]
    private static partial Regex ModelPrefix();

    [GeneratedRegex(@"'[^']*'")]
    private static partial Regex Quoted();
}
