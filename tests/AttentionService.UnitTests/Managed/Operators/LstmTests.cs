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

public class LstmTests
{
    /// <summary>direction, layout, hidden size, with B, with initial states, with peepholes, sequence lengths ("" for none), clip (0 for none).</summary>
    public static TheoryData<string, int, int, bool, bool, bool, string, float> Cases() => new()
    {
        { "forward", 0, 5, false, false, false, "", 0f },
        { "forward", 0, 5, true, true, false, "", 0f },
        { "reverse", 0, 6, true, true, true, "", 0f },
        { "reverse", 1, 6, true, false, false, "", 0f },
        { "bidirectional", 0, 7, true, true, true, "", 0f },
        { "bidirectional", 1, 7, true, true, false, "", 0f },
        { "forward", 0, 20, true, true, true, "5,2,4", 0f },
        { "reverse", 0, 20, true, true, false, "3,5,1", 0f },
        { "bidirectional", 1, 9, true, true, true, "2,5,3", 0f },
        { "bidirectional", 0, 9, false, true, false, "4,1,5", 0f },
        { "forward", 1, 6, true, true, true, "", 0.5f },
        { "bidirectional", 0, 6, true, true, false, "5,3,2", 0.25f },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LstmMatchesOnnxRuntime(string direction, int layout, int hidden, bool withBias, bool withInitialState, bool withPeepholes, string lengths, float clip)
    {
        const int sequence = 5, batch = 3, input = 4;
        var directions = direction == "bidirectional" ? 2 : 1;
        int[] stateShape = layout == 0 ? [directions, batch, hidden] : [batch, directions, hidden];
        var feeds = new List<TensorView> { Floats(Random(1, sequence * batch * input), layout == 0 ? [sequence, batch, input] : [batch, sequence, input]) };
        if (lengths.Length > 0) feeds.Add(Int64s(lengths.Split(',').Select(long.Parse).ToArray(), batch));
        if (withInitialState)
        {
            feeds.Add(Floats(Random(5, directions * batch * hidden), stateShape));
            feeds.Add(Floats(Random(6, directions * batch * hidden), stateShape));
        }

        ModelProto Model(int modelLayout, DataType lengthsType)
        {
            var graph = new GraphBuilder("lstm");
            object[] xShape = modelLayout == 0 ? [sequence, batch, input] : [batch, sequence, input];
            object[] states = modelLayout == 0 ? [directions, batch, hidden] : [batch, directions, hidden];
            graph.Input("X", xShape);
            graph.Initializer("W", Random(2, directions * 4 * hidden * input), directions, 4 * hidden, input);
            graph.Initializer("R", Random(3, directions * 4 * hidden * hidden), directions, 4 * hidden, hidden);
            if (withBias) graph.Initializer("B", Random(4, directions * 8 * hidden), directions, 8 * hidden);
            if (withPeepholes) graph.Initializer("P", Random(7, directions * 3 * hidden), directions, 3 * hidden);
            if (lengths.Length > 0) graph.Input("sequence_lens", lengthsType, batch);
            if (withInitialState)
            {
                graph.Input("initial_h", states);
                graph.Input("initial_c", states);
            }
            var attributes = new List<AttributeProto>
            {
                GraphBuilder.Attribute("hidden_size", (long)hidden),
                GraphBuilder.Attribute("direction", direction),
                GraphBuilder.Attribute("layout", (long)modelLayout),
            };
            if (clip > 0) attributes.Add(GraphBuilder.Attribute("clip", clip));
            graph.Node("LSTM",
                ["X", "W", "R", withBias ? "B" : "", lengths.Length > 0 ? "sequence_lens" : "", withInitialState ? "initial_h" : "", withInitialState ? "initial_c" : "", withPeepholes ? "P" : ""],
                ["Y", "Y_h", "Y_c"], [.. attributes]);
            graph.Output("Y", modelLayout == 0 ? [sequence, directions, batch, hidden] : [batch, sequence, directions, hidden]);
            graph.Output("Y_h", states);
            graph.Output("Y_c", states);
            return graph.ToModel(17, "", []);
        }

        GruTests.AssertRecurrentMatchesOnnxRuntime(Model, layout, [.. feeds]);
    }

    /// <summary>A batch item whose sequence length is 0 keeps zeros in Y, Y_h and Y_c, as ONNX Runtime gives.</summary>
    [Fact]
    public void EmptySequenceLeavesZeroStates()
    {
        ModelProto Model(int layout, DataType lengthsType)
        {
            var graph = new GraphBuilder("lstm");
            graph.Input("X", 3, 2, 3);
            graph.Input("sequence_lens", lengthsType, 2);
            graph.Input("initial_h", 1, 2, 4);
            graph.Input("initial_c", 1, 2, 4);
            graph.Initializer("W", Random(2, 4 * 4 * 3), 1, 16, 3);
            graph.Initializer("R", Random(3, 4 * 4 * 4), 1, 16, 4);
            graph.Node("LSTM", ["X", "W", "R", "", "sequence_lens", "initial_h", "initial_c"], ["Y", "Y_h", "Y_c"], GraphBuilder.Attribute("hidden_size", 4L));
            graph.Output("Y", 3, 1, 2, 4);
            graph.Output("Y_h", 1, 2, 4);
            graph.Output("Y_c", 1, 2, 4);
            return graph.ToModel(17, "", []);
        }

        TensorView[] inputs = [Floats(Random(1, 18), 3, 2, 3), Int64s([2, 0], 2), Floats(Random(4, 8), 1, 2, 4), Floats(Random(5, 8), 1, 2, 4)];
        GruTests.AssertRecurrentMatchesOnnxRuntime(Model, 0, inputs);
        var outputs = RunManaged(Model(0, DataType.Int64), inputs);
        Assert.All(outputs[2].As<float>().Span[4..].ToArray(), v => Assert.Equal(0f, v));
    }

    public static TheoryData<string, AttributeProto> Refused() => new()
    {
        { "activations", GruTests.StringsAttribute("activations", "Sigmoid", "Tanh", "Relu") },
        { "activation_beta", GruTests.FloatsAttribute("activation_beta", 0.5f) },
        { "input_forget", GraphBuilder.Attribute("input_forget", 1L) },
        { "direction", GraphBuilder.Attribute("direction", "Forward") },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void AttributesItDoesNotImplementAreRefusedAtLoad(string name, AttributeProto attribute)
    {
        var graph = new GraphBuilder("lstm");
        graph.Input("X", 2, 1, 3);
        graph.Initializer("W", Random(2, 48), 1, 16, 3);
        graph.Initializer("R", Random(3, 64), 1, 16, 4);
        graph.Node("LSTM", ["X", "W", "R"], ["Y"], GraphBuilder.Attribute("hidden_size", 4L), attribute);
        graph.Output("Y", 2, 1, 1, 4);
        var error = Assert.Throws<BackendUnavailableException>(() => new ManagedBackendFactory().Create(ModelSource.FromProto("lstm", graph.ToModel(17, "", []))));
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void RunAllocatesNothing()
    {
        const int sequence = 4, batch = 2, input = 8, hidden = 16;
        var node = Node("LSTM", ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"], ["Y", "Y_h", "Y_c"],
            GraphBuilder.Attribute("hidden_size", (long)hidden), GraphBuilder.Attribute("direction", "bidirectional"), GraphBuilder.Attribute("clip", 3f));
        TensorView[] inputs =
        [
            Floats(Random(1, sequence * batch * input), sequence, batch, input),
            Floats(Random(2, 2 * 4 * hidden * input), 2, 4 * hidden, input),
            Floats(Random(3, 2 * 4 * hidden * hidden), 2, 4 * hidden, hidden),
            Floats(Random(4, 2 * 8 * hidden), 2, 8 * hidden),
            Int64s([4, 3], batch),
            Floats(Random(5, 2 * batch * hidden), 2, batch, hidden),
            Floats(Random(6, 2 * batch * hidden), 2, batch, hidden),
            Floats(Random(7, 2 * 3 * hidden), 2, 3 * hidden),
        ];
        Assert.Equal(0, BytesPerOperatorRun(node, inputs));
    }

    /// <summary>The LSTM node torch exported with its weights, alone in a model.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void TorchExportedLstmNodeMatchesOnnxRuntime(int batch)
    {
        var fixture = ModelSource.Read("lstm-luong-step", Path.Combine(RepoPaths.Root, "tests/fixtures/torch/lstm-luong-step/model.onnx")).Proto;
        var (model, inputs) = GruTests.ExtractRecurrentNode(fixture, "LSTM", batch);
        AssertManagedMatchesOnnxRuntime(model, inputs);
    }
}
