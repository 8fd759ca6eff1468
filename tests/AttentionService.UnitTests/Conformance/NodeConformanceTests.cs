using AttentionService.Core.Tensors;
using AttentionService.Tests.Support;
using Xunit.Abstractions;

namespace AttentionService.Tests.Conformance;

/// <summary>
/// ONNX's own backend node tests on the managed backend: every test of every op it claims either passes or is
/// refused at load with a reason; none may load and then compute something else. The README states the counts.
/// </summary>
public class NodeConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> ClaimedNodeTests() => new(NodeTest.Claimed.Select(t => t.Name));

    [RequiresNodeTestDataTheory]
    [MemberData(nameof(ClaimedNodeTests))]
    public void NodeTestPassesOrIsRefusedAtLoad(string test)
    {
        var outcome = NodeTest.Named(test).Outcome;
        output.WriteLine($"{outcome.Verdict}: {outcome.Detail}");
        Assert.True(outcome.Verdict != NodeTestVerdict.Failed, $"{test} failed: {outcome.Detail}");
    }

    [RequiresNodeTestDataFact]
    public void ReadmeStatesTheNodeTestCounts()
    {
        var expected = ConformanceTable.Section(NodeTest.Claimed);
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        if (ConformanceTable.SectionIn(readme)?.TrimEnd() != expected.TrimEnd())
            Assert.Fail($"README.md's section \"{ConformanceTable.Heading}\" is not what the node tests compute; replace it with:\n\n{expected}");
    }

    [Fact]
    public void NaNMatchesOnlyNaN()
    {
        Assert.Null(NodeTest.Compare(Floats(float.NaN, float.PositiveInfinity), Floats(float.NaN, float.PositiveInfinity)));
        Assert.Contains("expected NaN, got 0", NodeTest.Compare(Floats(0f), Floats(float.NaN)));
        Assert.Contains("expected 0, got NaN", NodeTest.Compare(Floats(float.NaN), Floats(0f)));
    }

    [Fact]
    public void FloatsMatchWithinAbsolutePlusRelativeTolerance()
    {
        Assert.Null(NodeTest.Compare(Floats(1000.99f, 9e-6f), Floats(1000f, 0f)));
        Assert.Contains("first at [1]: expected 0, got 2E-05", NodeTest.Compare(Floats(1000f, 2e-5f), Floats(1000f, 0f)));
        Assert.Contains("expected 1000, got 1001.1", NodeTest.Compare(Floats(1001.1f), Floats(1000f)));
    }

    [Fact]
    public void IntegersAndShapesMatchExactly()
    {
        Assert.Contains("expected 1, got 2", NodeTest.Compare(Tensor.Wrap(new long[] { 2 }, 1).View, Tensor.Wrap(new long[] { 1 }, 1).View));
        Assert.Contains("has shape [1, 2], expected [2]", NodeTest.Compare(Tensor.Wrap(new[] { 0f, 0f }, 1, 2).View, Floats(0f, 0f)));
        Assert.Contains("is Int64, expected Float32", NodeTest.Compare(Tensor.Wrap(new long[] { 0 }, 1).View, Floats(0f)));
    }

    private static TensorView Floats(params float[] values) => Tensor.Wrap(values, values.Length).View;
}
