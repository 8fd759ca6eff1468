using AttentionService.Core.Models;
using AttentionService.Onnx;
using AttentionService.Registry;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Registry;

/// <summary>Binding graphs to /attend's roles in process: by name, by position, by config, and refusals.</summary>
public sealed class ModelBinderTests
{
    /// <summary>A signature of graph inputs and outputs (name, type, rank 3 or as given); no nodes are needed to bind.</summary>
    private static ModelSignature Graph((string Name, DataType Type, object[] Dims)[] inputs, (string Name, DataType Type, object[] Dims)[] outputs)
    {
        var g = new GraphBuilder("g");
        foreach (var (name, type, dims) in inputs) g.Input(name, type, dims);
        foreach (var (name, type, dims) in outputs) g.Output(name, type, dims);
        g.Node("Identity", [inputs[0].Name], outputs[0].Name);
        return ModelSignature.FromOnnx(g.ToModel(17, "", []));
    }

    private static (string, DataType, object[]) F(string name, params object[] dims) => (name, DataType.Float, dims.Length == 0 ? ["batch", "t", "d"] : dims);

    [Fact]
    public void TwoFloatInputsAndTwoOutputsBindByPosition()
    {
        var (binding, refusal) = ModelBinder.Bind("m", Graph([F("a"), F("b")], [F("c"), F("w")]), null);

        Assert.Null(refusal);
        Assert.Equal((0, -1, 1, -1, 0, 1), (binding!.Query, binding.Keys, binding.Values, binding.Mask, binding.Context, binding.Weights));
        Assert.Equal(BindingSource.Position, binding.InputsBoundBy);
        Assert.Equal(BindingSource.Position, binding.OutputsBoundBy);
    }

    [Fact]
    public void ThreeFloatInputsBindAsQueryKeysValues()
    {
        var (binding, _) = ModelBinder.Bind("m", Graph([F("a"), F("b"), F("c")], [F("x"), F("y")]), null);

        Assert.Equal((0, 1, 2), (binding!.Query, binding.Keys, binding.Values));
    }

    [Fact]
    public void RoleNamesBindByNameInAnyOrderAndOtherOutputsStayUnnamed()
    {
        var (binding, _) = ModelBinder.Bind("m",
            Graph([F("values"), F("mask"), F("query")], [F("extra"), F("weights"), F("context")]), null);

        Assert.Equal((2, 0, 1, 2, 1), (binding!.Query, binding.Values, binding.Mask, binding.Context, binding.Weights));
        Assert.Equal(BindingSource.Name, binding.InputsBoundBy);
        Assert.Null(binding.OutputName(0));
        Assert.Equal(0, binding.FindOutput("extra"));
        Assert.Equal(MaskMeaning.Attend, binding.MaskMeaning);
    }

    [Theory]
    [InlineData(4, 2, "its inputs without a config")]
    [InlineData(2, 3, "its outputs without a config")]
    [InlineData(1, 1, "its inputs and outputs without a config")]
    public void AnythingElseWithoutAConfigIsRefusedSayingWhichSide(int inputs, int outputs, string side)
    {
        var signature = Graph(Enumerable.Range(0, inputs).Select(i => F($"i{i}")).ToArray(), Enumerable.Range(0, outputs).Select(o => F($"o{o}")).ToArray());

        var (binding, refusal) = ModelBinder.Bind("m", signature, null);

        Assert.Null(binding);
        Assert.StartsWith($"m.onnx: /attend cannot tell the roles of {side}", refusal);
        Assert.Contains("Bind them in m.json beside m.onnx", refusal);
    }

    [Fact]
    public void AnIntegerInputIsNotBoundByPosition()
    {
        var (binding, refusal) = ModelBinder.Bind("m", Graph([("ids", DataType.Int64, ["batch"]), F("b")], [F("c"), F("w")]), null);

        Assert.Null(binding);
        Assert.Contains("'ids' INT64 [batch]", refusal);
    }

    [Fact]
    public void TheSuggestionTakesAMaskNamedAsOneBeforeKeysNamedAsThem()
    {
        var signature = Graph([F("query.1"), F("key.1"), F("value.1"), ("key_padding_mask", DataType.Bool, ["batch", "t"])], [F("5"), F("6")]);

        Assert.Equal("""{"inputs":{"query":"query.1","keys":"key.1","values":"value.1","mask":"key_padding_mask"},"outputs":{"context":"5","weights":"6"},"mask":{"meaning":"attend"}}""",
            ConfigSuggestion.For(signature));
    }

    [Fact]
    public void AConfigBindsAliasesThatRequestsFindBeforeGraphNames()
    {
        var signature = Graph([("ids", DataType.Int64, ["batch"]), F("q", "batch", "d"), F("v"), ("m", DataType.Float, ["batch", "t"])], [F("c"), F("w"), F("s")]);
        var config = new ModelConfig("m.json", "desc",
            [new("token", "ids"), new("query", "q"), new("values", "v"), new("mask", "m")],
            [new("context", "c"), new("weights", "w"), new("state", "s")], MaskMeaning.Additive);

        var (binding, refusal) = ModelBinder.Bind("m", signature, config);

        Assert.Null(refusal);
        Assert.Equal(0, binding!.FindExtraInput("token"));
        Assert.Equal(0, binding.FindExtraInput("ids"));
        Assert.Equal(-1, binding.FindExtraInput("query"));
        Assert.Equal(2, binding.FindOutput("state"));
        Assert.Equal(2, binding.FindOutput("s"));
        Assert.Equal(MaskMeaning.Additive, binding.MaskMeaning);
        Assert.Equal("context (c), weights (w), state (s)", string.Join(", ", binding.OutputList()));
    }

    [Fact]
    public void AnAliasThatIsAnotherGraphInputsNameIsRefused()
    {
        var signature = Graph([F("a"), F("b"), F("c")], [F("x"), F("y")]);
        var config = new ModelConfig("m.json", null, [new("query", "a"), new("values", "b"), new("b", "c")], null, null);

        var (_, refusal) = ModelBinder.Bind("m", signature, config);

        Assert.Equal("m.json: inputs.b: 'b' is the name of another graph input, so it cannot be an alias of 'c'", refusal);
    }

    [Fact]
    public void ARoleOfARankAttendCannotFeedIsRefused()
    {
        var (_, refusal) = ModelBinder.Bind("m", Graph([F("a", "b", "h", "t", "d"), F("v")], [F("x"), F("y")]), null);

        Assert.Equal("m.onnx: query (bound by position): graph input 'a' is FP32 [b, h, t, d]; /attend feeds query as [batch, tq, d] or [batch, d]", refusal);
    }
}
