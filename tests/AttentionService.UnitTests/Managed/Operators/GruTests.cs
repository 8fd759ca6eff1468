using AttentionService.Backends.Managed;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Managed.Operators.RnnAttentionTestModels;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class GruTests
{
    /// <summary>direction, layout, linear_before_reset, hidden size, with B, with initial_h, sequence lengths ("" for none), clip (0 for none).</summary>
    public static TheoryData<string, int, int, int, bool, bool, string, float> Cases() => new()
    {
        { "forward", 0, 0, 5, false, false, "", 0f },
        { "forward", 0, 1, 5, true, true, "", 0f },
        { "reverse", 0, 0, 6, true, true, "", 0f },
        { "reverse", 1, 1, 6, true, false, "", 0f },
        { "bidirectional", 0, 1, 7, true, true, "", 0f },
        { "bidirectional", 1, 0, 7, true, true, "", 0f },
        { "forward", 0, 1, 20, true, true, "5,2,4", 0f },
        { "reverse", 0, 0, 20, true, true, "3,5,1", 0f },
        { "bidirectional", 1, 1, 9, true, true, "2,5,3", 0f },
        { "bidirectional", 0, 0, 9, true, true, "4,1,5", 0f },
        { "forward", 1, 0, 6, true, true, "", 0.5f },
        { "bidirectional", 0, 1, 6, true, true, "5,3,2", 0.25f },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GruMatchesOnnxRuntime(string direction, int layout, int linearBeforeReset, int hidden, bool withBias, bool withInitialH, string lengths, float clip)
    {
        const int sequence = 5, batch = 3, input = 4;
        var directions = direction == "bidirectional" ? 2 : 1;
        var feeds = new List<TensorView> { Floats(Random(1, sequence * batch * input), layout == 0 ? [sequence, batch, input] : [batch, sequence, input]) };
        if (lengths.Length > 0) feeds.Add(Int64s(lengths.Split(',').Select(long.Parse).ToArray(), batch));
        if (withInitialH) feeds.Add(Floats(Random(5, directions * batch * hidden), layout == 0 ? [directions, batch, hidden] : [batch, directions, hidden]));

        ModelProto Model(int modelLayout, DataType lengthsType)
        {
            var graph = new GraphBuilder("gru");
            object[] xShape = modelLayout == 0 ? [sequence, batch, input] : [batch, sequence, input];
            object[] stateShape = modelLayout == 0 ? [directions, batch, hidden] : [batch, directions, hidden];
            graph.Input("X", xShape);
            graph.Initializer("W", Random(2, directions * 3 * hidden * input), directions, 3 * hidden, input);
            graph.Initializer("R", Random(3, directions * 3 * hidden * hidden), directions, 3 * hidden, hidden);
            if (withBias) graph.Initializer("B", Random(4, directions * 6 * hidden), directions, 6 * hidden);
            if (lengths.Length > 0) graph.Input("sequence_lens", lengthsType, batch);
            if (withInitialH) graph.Input("initial_h", stateShape);
            var attributes = new List<AttributeProto>
            {
                GraphBuilder.Attribute("hidden_size", (long)hidden),
                GraphBuilder.Attribute("direction", direction),
                GraphBuilder.Attribute("layout", (long)modelLayout),
                GraphBuilder.Attribute("linear_before_reset", (long)linearBeforeReset),
            };
            if (clip > 0) attributes.Add(GraphBuilder.Attribute("clip", clip));
            graph.Node("GRU", ["X", "W", "R", withBias ? "B" : "", lengths.Length > 0 ? "sequence_lens" : "", withInitialH ? "initial_h" : ""], ["Y", "Y_h"], [.. attributes]);
            graph.Output("Y", modelLayout == 0 ? [sequence, directions, batch, hidden] : [batch, sequence, directions, hidden]);
            graph.Output("Y_h", stateShape);
            return graph.ToModel(17, "", []);
        }

        AssertRecurrentMatchesOnnxRuntime(Model, layout, [.. feeds]);
    }

    /// <summary>
    /// Runs <paramref name="model"/> in <paramref name="layout"/> with INT64 sequence_lens on the managed backend, and
    /// in layout 0 with INT32 sequence_lens (what ONNX defines, and the only layout ONNX Runtime's CPU kernels take)
    /// on ONNX Runtime, transposing X, the initial states and the outputs between the layouts.
    /// </summary>
    internal static void AssertRecurrentMatchesOnnxRuntime(Func<int, DataType, ModelProto> model, int layout, TensorView[] feeds)
    {
        var managedModel = model(layout, DataType.Int64);
        var managed = RunManaged(managedModel, feeds);
        var sequenceFirst = layout == 0 ? feeds : feeds.Select(f => f.Rank == 3 ? Transpose(f, 1, 0, 2) : f).ToArray();
        var expected = RunOnnxRuntime(model(0, DataType.Int32), sequenceFirst);
        if (layout == 1) expected = expected.Select(o => o.Rank == 4 ? Transpose(o, 2, 0, 1, 3) : Transpose(o, 1, 0, 2)).ToArray();
        AssertAllEqual(expected, managed, managedModel);
    }

    [Fact]
    public void GruWithOnlyYhMatchesOnnxRuntime()
    {
        var graph = new GraphBuilder("gru");
        graph.Input("X", 2, 1, 3);
        graph.Initializer("W", Random(2, 3 * 4 * 3), 1, 12, 3);
        graph.Initializer("R", Random(3, 3 * 4 * 4), 1, 12, 4);
        graph.Node("GRU", ["X", "W", "R"], ["", "Y_h"], GraphBuilder.Attribute("hidden_size", 4L));
        graph.Output("Y_h", 1, 1, 4);
        AssertManagedMatchesOnnxRuntime(graph.ToModel(14, "", []), Floats(Random(1, 6), 2, 1, 3));
    }

    /// <summary>A batch item whose sequence length is 0 keeps zeros in Y and in Y_h, as ONNX Runtime gives.</summary>
    [Fact]
    public void EmptySequenceLeavesZeroState()
    {
        ModelProto Model(int layout, DataType lengthsType)
        {
            var graph = new GraphBuilder("gru");
            graph.Input("X", 3, 2, 3);
            graph.Input("sequence_lens", lengthsType, 2);
            graph.Input("initial_h", 1, 2, 4);
            graph.Initializer("W", Random(2, 3 * 4 * 3), 1, 12, 3);
            graph.Initializer("R", Random(3, 3 * 4 * 4), 1, 12, 4);
            graph.Node("GRU", ["X", "W", "R", "", "sequence_lens", "initial_h"], ["Y", "Y_h"], GraphBuilder.Attribute("hidden_size", 4L));
            graph.Output("Y", 3, 1, 2, 4);
            graph.Output("Y_h", 1, 2, 4);
            return graph.ToModel(17, "", []);
        }

        TensorView[] inputs = [Floats(Random(1, 18), 3, 2, 3), Int64s([0, 2], 2), Floats(Random(4, 8), 1, 2, 4)];
        AssertRecurrentMatchesOnnxRuntime(Model, 0, inputs);
        var outputs = RunManaged(Model(0, DataType.Int64), inputs);
        Assert.All(outputs[1].As<float>().Span[..4].ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void SequenceLengthLongerThanXIsAnError()
    {
        var graph = new GraphBuilder("gru");
        graph.Input("X", 2, 1, 3);
        graph.Input("sequence_lens", DataType.Int64, 1);
        graph.Initializer("W", Random(2, 36), 1, 12, 3);
        graph.Initializer("R", Random(3, 48), 1, 12, 4);
        graph.Node("GRU", ["X", "W", "R", "", "sequence_lens"], ["Y"], GraphBuilder.Attribute("hidden_size", 4L));
        graph.Output("Y", 2, 1, 1, 4);
        using var backend = new ManagedBackendFactory().Create(ModelSource.FromProto("gru", graph.ToModel(17, "", [])));
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([Floats(Random(1, 6), 2, 1, 3), Int64s([3], 1)], CancellationToken.None).Dispose());
        Assert.Contains("sequence_lens[0] is 3", error.Message);
    }

    public static TheoryData<string, AttributeProto> Refused() => new()
    {
        { "activations", StringsAttribute("activations", "Relu", "Tanh") },
        { "activation_alpha", FloatsAttribute("activation_alpha", 0.5f) },
        { "linear_before_reset", GraphBuilder.Attribute("linear_before_reset", 2L) },
        { "direction", GraphBuilder.Attribute("direction", "sideways") },
        { "layout", GraphBuilder.Attribute("layout", 2L) },
        { "clip", GraphBuilder.Attribute("clip", -1f) },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void AttributesItDoesNotImplementAreRefusedAtLoad(string name, AttributeProto attribute)
    {
        var graph = new GraphBuilder("gru");
        graph.Input("X", 2, 1, 3);
        graph.Initializer("W", Random(2, 36), 1, 12, 3);
        graph.Initializer("R", Random(3, 48), 1, 12, 4);
        graph.Node("GRU", ["X", "W", "R"], ["Y"], GraphBuilder.Attribute("hidden_size", 4L), attribute);
        graph.Output("Y", 2, 1, 1, 4);
        var error = Assert.Throws<BackendUnavailableException>(() => new ManagedBackendFactory().Create(ModelSource.FromProto("gru", graph.ToModel(17, "", []))));
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void DefaultActivationsSpelledOutAreAccepted()
    {
        var graph = new GraphBuilder("gru");
        graph.Input("X", 2, 1, 3);
        graph.Initializer("W", Random(2, 72), 2, 12, 3);
        graph.Initializer("R", Random(3, 96), 2, 12, 4);
        graph.Node("GRU", ["X", "W", "R"], ["Y"], GraphBuilder.Attribute("hidden_size", 4L), GraphBuilder.Attribute("direction", "bidirectional"),
            StringsAttribute("activations", "Sigmoid", "Tanh", "Sigmoid", "Tanh"));
        graph.Output("Y", 2, 2, 1, 4);
        AssertManagedMatchesOnnxRuntime(graph.ToModel(17, "", []), Floats(Random(1, 6), 2, 1, 3));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void RunAllocatesNothing(int linearBeforeReset)
    {
        const int sequence = 4, batch = 2, input = 8, hidden = 16;
        var node = Node("GRU", ["X", "W", "R", "B", "sequence_lens", "initial_h"], ["Y", "Y_h"],
            GraphBuilder.Attribute("hidden_size", (long)hidden), GraphBuilder.Attribute("direction", "bidirectional"),
            GraphBuilder.Attribute("linear_before_reset", (long)linearBeforeReset));
        TensorView[] inputs =
        [
            Floats(Random(1, sequence * batch * input), sequence, batch, input),
            Floats(Random(2, 2 * 3 * hidden * input), 2, 3 * hidden, input),
            Floats(Random(3, 2 * 3 * hidden * hidden), 2, 3 * hidden, hidden),
            Floats(Random(4, 2 * 6 * hidden), 2, 6 * hidden),
            Int64s([4, 3], batch),
            Floats(Random(5, 2 * batch * hidden), 2, batch, hidden),
        ];
        Assert.Equal(0, BytesPerOperatorRun(node, inputs));
    }

    /// <summary>The GRU node torch exported (linear_before_reset = 1) with its weights, alone in a model.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void TorchExportedGruNodeMatchesOnnxRuntime(int batch)
    {
        var fixture = ModelSource.Read("gru-bahdanau-step", Path.Combine(RepoPaths.Root, "tests/fixtures/torch/gru-bahdanau-step/model.onnx")).Proto;
        var (model, inputs) = ExtractRecurrentNode(fixture, "GRU", batch);
        AssertManagedMatchesOnnxRuntime(model, inputs);
    }

    /// <summary>
    /// The first <paramref name="opType"/> node of <paramref name="fixture"/> with the initializers it reads, alone in a
    /// model whose other inputs (X, initial states) are graph inputs given random values for a sequence of one step.
    /// </summary>
    internal static (ModelProto Model, TensorView[] Inputs) ExtractRecurrentNode(ModelProto fixture, string opType, int batch)
    {
        var node = fixture.Graph.Node.First(n => n.OpType == opType);
        var initializers = fixture.Graph.Initializer.ToDictionary(t => t.Name);
        var r = initializers[node.Input[2]];
        var w = initializers[node.Input[1]];
        int hidden = (int)r.Dims[2], input = (int)w.Dims[2], directions = (int)w.Dims[0];
        var graph = new GraphBuilder(opType.ToLowerInvariant());
        var inputs = new List<TensorView>();
        var names = new string[node.Input.Count];
        for (var i = 0; i < node.Input.Count; i++)
        {
            var name = node.Input[i];
            names[i] = name.Length == 0 ? "" : $"in{i}";
            if (name.Length == 0) continue;
            if (initializers.TryGetValue(name, out var initializer))
                graph.Initializer(names[i], InitializerData.ToFloats(initializer), [.. initializer.Dims]);
            else
            {
                int[] shape = i == 0 ? [1, batch, input] : [directions, batch, hidden];
                graph.Input(names[i], shape.Cast<object>().ToArray());
                inputs.Add(Floats(Random(10 + i, shape.Aggregate(1, (a, d) => a * d)), shape));
            }
        }
        var outputs = node.Output.Select((o, k) => o.Length == 0 ? "" : $"out{k}").ToArray();
        graph.Node(opType, names, outputs, [.. node.Attribute]);
        for (var k = 0; k < outputs.Length; k++)
            if (outputs[k].Length > 0)
                graph.Output(outputs[k], (k == 0 ? new[] { 1, directions, batch, hidden } : [directions, batch, hidden]).Cast<object>().ToArray());
        return (graph.ToModel(17, "", []), [.. inputs]);
    }

    internal static AttributeProto StringsAttribute(string name, params string[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(values.Select(Google.Protobuf.ByteString.CopyFromUtf8));
        return attribute;
    }

    internal static AttributeProto FloatsAttribute(string name, params float[] values) => GraphBuilder.Attribute(name, values);
}
