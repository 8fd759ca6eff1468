using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.Tests.Managed;

/// <summary>Graphs built in the test: what the compiler rejects, and small graphs checked against hand-computed numbers.</summary>
public class GraphTests
{
    [Fact]
    public void UnsupportedOpIsRejectedNamingOpNodeAndSupportedOps()
    {
        var g = new GraphBuilder("gelu");
        var x = g.Input("x", "n", 4);
        var h = g.Node("Tanh", [x], "h");
        g.Node("Gelu", [h], "y");
        g.Output("y", "n", 4);

        var error = Assert.Throws<BackendUnavailableException>(() => ManagedModels.Load(ManagedModels.ToModel(g)));
        Assert.Equal(
            $"no managed kernel for op 'Gelu' (node 'Gelu_1'); managed ops are {string.Join(", ", OperatorCatalog.SupportedOps)}",
            error.Message);
        Assert.Contains("Add, ", error.Message);
    }

    [Fact]
    public void OpFromAnotherDomainIsRejected()
    {
        var g = new GraphBuilder("fused");
        var x = g.Input("x", 2, 2);
        g.Node("MatMul", [x, x], "y");
        g.Output("y", 2, 2);
        var model = ManagedModels.ToModel(g);
        model.Graph.Node[0].Domain = "com.microsoft";

        var error = Assert.Throws<BackendUnavailableException>(() => ManagedModels.Load(model));
        Assert.StartsWith("no managed kernel for op 'com.microsoft.MatMul' (node 'MatMul_0')", error.Message);
    }

    [Fact]
    public void ValueThatNothingProducesIsRejected()
    {
        var g = new GraphBuilder("dangling");
        var x = g.Input("x", 3);
        g.Node("Add", [x, "ghost"], "y");
        g.Output("y", 3);

        var error = Assert.Throws<BackendUnavailableException>(() => ManagedModels.Load(ManagedModels.ToModel(g)));
        Assert.Equal("Add node 'Add_0' reads 'ghost', which no node, graph input or initializer produces", error.Message);
    }

    [Fact]
    public void OldOpsetIsRejected()
    {
        var g = new GraphBuilder("old");
        var x = g.Input("x", 3);
        g.Node("Tanh", [x], "y");
        g.Output("y", 3);

        var error = Assert.Throws<BackendUnavailableException>(() => ManagedModels.Load(g.ToModel(11, "old", [])));
        Assert.Contains("opset 11", error.Message);
    }

    [Fact]
    public void NodesOutOfOrderAreRunTopologically()
    {
        var g = new GraphBuilder("reordered");
        var x = g.Input("x", 2);
        var one = g.Initializer("one", [1f], 1);
        g.Node("Mul", ["t", "t"], "y");
        g.Node("Add", [x, one], "t");
        g.Output("y", 2);

        using var backend = ManagedModels.Load(ManagedModels.ToModel(g));
        using var input = Tensor.Wrap([1f, 2f], 2);
        using var outputs = backend.RunRented([input], CancellationToken.None);
        Assert.Equal([4f, 9f], outputs.Float(0).Span.ToArray());
    }

    [Fact]
    public void ReshapeToAShapeComputedFromConstantsIsFoldedWhenThePlanIsMade()
    {
        // shape = (1, 3) · 2 + (0, 0) = (2, 6), computed by INT64 nodes whose inputs are all constants.
        var g = new GraphBuilder("computed-shape");
        var x = g.Input("x", 3, 4);
        var half = g.Initializer("half", [1L, 3L], 2);
        var two = g.Initializer("two", [2L], 1);
        var zeros = g.Initializer("zeros", [0L, 0L], 2);
        var shape = g.Node("Add", [g.Node("Mul", [half, two], "doubled"), zeros], "shape");
        g.Node("Reshape", [x, shape], "y");
        g.Output("y", 2, 6);

        using var backend = ManagedModels.Load(ManagedModels.ToModel(g));
        var data = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        using var input = Tensor.Wrap(data, 3, 4);
        using var outputs = backend.RunRented([input], CancellationToken.None);

        Assert.Equal(1, backend.StepCount);
        Assert.Equal([2, 6], outputs[0].Shape);
        Assert.Equal(data, outputs.Float(0).Span.ToArray());
    }

    [Fact]
    public void ReshapeToAShapeTheCallerGivesAsAnInt64InputFollowsEachRunsValues()
    {
        var g = new GraphBuilder("shape-input");
        var x = g.Input("x", 2, 6);
        var shape = g.Input("shape", TensorProto.Types.DataType.Int64, 2);
        g.Node("Reshape", [x, shape], "y");
        g.Output("y", "rows", "columns");

        using var backend = ManagedModels.Load(ManagedModels.ToModel(g));
        var data = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        using var input = Tensor.Wrap(data, 2, 6);
        foreach (var (target, expected) in new (long[], int[])[] { ([3, 4], [3, 4]), ([-1, 2], [6, 2]), ([3, 4], [3, 4]), ([12, 1], [12, 1]) })
        {
            using var outputs = backend.RunRented([input, Tensor.Wrap(target, 2).View], CancellationToken.None);
            Assert.Equal(expected, outputs[0].Shape);
            Assert.Equal(data, outputs.Float(0).Span.ToArray());
        }
    }

    [Fact]
    public void ReshapeToAShapeComputedFromFloatInputValuesIsRefusedAtLoadNamingTheNode()
    {
        // The target shape is the float input's values cast to INT64: nothing knows it before the run.
        var g = new GraphBuilder("value-shape");
        var x = g.Input("x", 2);
        var shape = g.Node("Cast", [x], "x_as_shape", GraphBuilder.Attribute("to", 7L));
        g.Node("Reshape", [x, shape], "y");
        g.Output("y", "a", "b");

        var error = Assert.Throws<BackendUnavailableException>(() => ManagedModels.Load(ManagedModels.ToModel(g)));
        Assert.StartsWith(
            "Reshape node 'Reshape_1' needs input 1 ('x_as_shape') known before the run (a shape, axes, sizes or a mode), but it comes from the values of the model's float or bool inputs",
            error.Message);
    }

    /// <summary>
    /// x [2,3] → Reshape (0,-1,1) → Tanh → Greater(0.5) → Unsqueeze(0) → Where(mask, x·10, -x) → Squeeze(0),
    /// with a Sqrt/Sub/Div side path, and a graph output that is a graph input passed straight through.
    /// </summary>
    [Fact]
    public void SmallGraphMatchesHandComputedNumbers()
    {
        var g = new GraphBuilder("mixed");
        var x = g.Input("x", 2, 3);
        var shape = g.Initializer("shape", [0L, -1L, 1L], 3);
        var axes = g.Initializer("axes", [0L], 1);
        var half = g.Initializer("half", [0.5f], 1);
        var ten = g.Initializer("ten", [10f], 1);
        var four = g.Initializer("four", [4f], 1);
        var column = g.Node("Reshape", [x, shape], "column");
        var squashed = g.Node("Tanh", [column], "squashed");
        var mask = g.Node("Greater", [squashed, half], "mask");
        var batched = g.Node("Unsqueeze", [mask, axes], "batched");
        var scaled = g.Node("Mul", [column, ten], "scaled");
        var negated = g.Node("Sub", [column, g.Node("Add", [column, column], "doubled")], "negated");
        var chosen = g.Node("Where", [batched, scaled, negated], "chosen");
        g.Node("Squeeze", [chosen, axes], "selected");
        var root = g.Node("Sqrt", [g.Node("Cast", [x], "x_float", GraphBuilder.Attribute("to", 1L))], "root");
        g.Node("Div", [root, four], "quarter_root");
        g.Output("selected", 2, 3, 1);
        g.Output("quarter_root", 2, 3);
        g.Output("x", 2, 3);

        using var backend = ManagedModels.Load(ManagedModels.ToModel(g));
        using var input = Tensor.Wrap([0.25f, 1f, 4f, 0f, 0.5f, 9f], 2, 3);
        using var outputs = backend.RunRented([input], CancellationToken.None);
        var selected = outputs.Float(0);
        var quarterRoot = outputs.Float(1);
        var passedThrough = outputs.Float(2);

        // tanh: 0.245, 0.762, 0.999, 0, 0.462, 1.0 → mask 0,1,1,0,0,1.
        Assert.Equal([2, 3, 1], selected.Shape);
        Assert.Equal([-0.25f, 10f, 40f, -0f, -0.5f, 90f], selected.Span.ToArray());
        Assert.Equal([2, 3], quarterRoot.Shape);
        Assert.Equal([0.125f, 0.25f, 0.5f, 0f, (float)Math.Sqrt(0.5) / 4, 0.75f], quarterRoot.Span.ToArray());
        Assert.False(passedThrough.Overlaps(input.View), "the passed-through output is a copy, not the caller's input");
        Assert.Equal(input.Span.ToArray(), passedThrough.Span.ToArray());
    }
}
