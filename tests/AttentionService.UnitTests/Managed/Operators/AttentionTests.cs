using AttentionService.Backends.Managed;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.RnnAttentionTestModels;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class AttentionTests
{
    /// <summary>One Attention node's inputs and attributes; mask is "none", "bool" or "float".</summary>
    public sealed record Case(int Rank, int Batch, int QHeads, int KvHeads, int QLength, int KvLength, int HeadSize, int ValueSize,
        int PastLength = 0, bool Causal = false, string Mask = "none", int[]? MaskShape = null, float Softcap = 0f, float Scale = 0f, int Mode = 3)
    {
        public int Total => PastLength + KvLength;

        /// <summary>The mask's shape: as given, else [q_sequence, total].</summary>
        public int[] MaskDims => MaskShape ?? [QLength, Total];
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["4-D self"] = new(4, 2, 3, 3, 5, 5, 8, 8),
        ["4-D cross, value size differs"] = new(4, 2, 3, 3, 4, 7, 8, 6),
        ["4-D GQA"] = new(4, 2, 6, 2, 3, 5, 4, 4),
        ["4-D MQA"] = new(4, 1, 4, 1, 3, 6, 5, 7),
        ["3-D"] = new(3, 2, 4, 4, 3, 5, 4, 4),
        ["3-D GQA"] = new(3, 2, 6, 3, 4, 3, 2, 5),
        ["causal square"] = new(4, 2, 2, 2, 5, 5, 4, 4, Causal: true),
        ["causal more keys"] = new(4, 1, 2, 2, 3, 6, 4, 4, Causal: true),
        ["causal more queries"] = new(4, 1, 2, 2, 6, 3, 4, 4, Causal: true),
        ["causal with past"] = new(4, 2, 2, 1, 3, 3, 4, 4, PastLength: 4, Causal: true),
        ["past 4-D"] = new(4, 2, 3, 3, 1, 1, 8, 6, PastLength: 5),
        ["past 3-D GQA"] = new(3, 2, 4, 2, 2, 3, 4, 4, PastLength: 3),
        ["bool mask 2-D"] = new(4, 2, 3, 3, 4, 5, 4, 4, Mask: "bool"),
        ["bool mask per batch"] = new(4, 2, 3, 3, 4, 5, 4, 4, Mask: "bool", MaskShape: [2, 1, 4, 5]),
        ["bool mask per head"] = new(4, 2, 3, 3, 4, 5, 4, 4, Mask: "bool", MaskShape: [1, 3, 4, 5]),
        ["bool mask full"] = new(4, 2, 3, 3, 4, 5, 4, 4, Mask: "bool", MaskShape: [2, 3, 4, 5]),
        ["bool mask 3-D"] = new(4, 2, 3, 3, 4, 5, 4, 4, Mask: "bool", MaskShape: [3, 4, 5]),
        ["float mask 2-D"] = new(4, 2, 3, 3, 4, 5, 4, 4, Mask: "float"),
        ["float mask per batch"] = new(3, 2, 2, 2, 4, 5, 4, 4, Mask: "float", MaskShape: [2, 1, 4, 5]),
        ["float mask with past"] = new(4, 2, 2, 2, 2, 3, 4, 4, PastLength: 2, Mask: "float", MaskShape: [2, 2, 2, 5]),
        ["bool mask and causal"] = new(4, 2, 2, 2, 4, 4, 4, 4, Causal: true, Mask: "bool"),
        ["float mask and causal"] = new(4, 2, 2, 2, 4, 4, 4, 4, Causal: true, Mask: "float"),
        ["scale"] = new(4, 2, 2, 2, 3, 4, 4, 4, Scale: 0.3f),
        ["softcap"] = new(4, 2, 2, 2, 3, 4, 4, 4, Softcap: 0.5f, Mask: "float"),
        ["mode 0"] = new(4, 2, 2, 1, 3, 4, 4, 4, PastLength: 1, Causal: true, Mask: "float", Softcap: 0.7f, Mode: 0),
        ["mode 1"] = new(4, 2, 2, 1, 3, 4, 4, 4, PastLength: 1, Causal: true, Mask: "float", Softcap: 0.7f, Mode: 1),
        ["mode 2"] = new(4, 2, 2, 1, 3, 4, 4, 4, PastLength: 1, Causal: true, Mask: "float", Softcap: 0.7f, Mode: 2),
        ["mode 2 bool"] = new(4, 2, 2, 1, 3, 4, 4, 4, Causal: true, Mask: "bool", Mode: 2),
        ["mode 3"] = new(4, 2, 2, 1, 3, 4, 4, 4, PastLength: 1, Causal: true, Mask: "float", Softcap: 0.7f, Mode: 3),
        ["mode 3 3-D"] = new(3, 2, 4, 2, 3, 4, 4, 4, Mask: "bool", Softcap: 2f, Mode: 3),
        ["wide"] = new(4, 2, 4, 4, 64, 128, 64, 64, Mask: "bool", MaskShape: [2, 1, 64, 128]),
        ["wide 3-D causal"] = new(3, 1, 8, 2, 40, 40, 32, 32, PastLength: 24, Causal: true),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void AttentionMatchesOnnxRuntime(string name)
    {
        var c = Cases[name];
        var (model, inputs) = Build(c, seed: name.Length);
        AssertManagedMatchesOnnxRuntime(model, inputs);
    }

    /// <summary>
    /// A key-padding mask [batch, 1, 1, total] broadcasts over the queries (ONNX Runtime 1.31 takes only masks whose
    /// query axis is full, so it runs the same mask expanded).
    /// </summary>
    [Theory]
    [InlineData("bool")]
    [InlineData("float")]
    public void MaskBroadcastOverQueriesMatchesTheExpandedMask(string kind)
    {
        var c = new Case(4, 2, 3, 3, 4, 5, 4, 4, Mask: kind, MaskShape: [2, 1, 1, 5]);
        var (model, inputs) = Build(c, seed: 7);
        var expanded = c with { MaskShape = [2, 1, 4, 5] };
        var (expandedModel, expandedInputs) = Build(expanded, seed: 7);
        expandedInputs[3] = Repeat(inputs[3], rows: 2, times: 4);
        AssertAllEqual(RunOnnxRuntime(expandedModel, expandedInputs), RunManaged(model, inputs), model);
    }

    /// <summary>
    /// A query whose every key the mask hides (BOOL false, or a FLOAT mask of -inf or the lowest float) gets zero
    /// weights and a zero output, as ONNX Runtime gives; a merely very negative mask still gives uniform weights.
    /// </summary>
    [Theory]
    [InlineData("bool", 0f)]
    [InlineData("bool", 0.5f)]
    [InlineData("-inf", 0f)]
    [InlineData("-inf", 0.5f)]
    [InlineData("lowest", 0f)]
    [InlineData("-1e30", 0f)]
    public void FullyMaskedRowMatchesOnnxRuntime(string fill, float softcap)
    {
        var c = new Case(4, 1, 1, 1, 2, 3, 4, 4, Mask: fill == "bool" ? "bool" : "float", Softcap: softcap);
        var (model, inputs) = Build(c, seed: 3);
        var value = fill switch { "-inf" => float.NegativeInfinity, "lowest" => float.MinValue, _ => -1e30f };
        inputs[3] = fill == "bool" ? Bools([false, false, false, true, false, true], 2, 3) : Floats([value, value, value, 0f, value, 0f], 2, 3);
        AssertManagedMatchesOnnxRuntime(model, inputs);
        var weights = RunManaged(model, inputs)[3].As<float>().Span[..3].ToArray();
        Assert.Equal(fill == "-1e30" ? [1f / 3, 1f / 3, 1f / 3] : new[] { 0f, 0f, 0f }, weights);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void OnlyYWhenTheNodeAsksForNothingElse(int rank)
    {
        var c = new Case(rank, 2, 4, 2, 3, 4, 4, 4, Mask: "float");
        var (full, inputs) = Build(c, seed: 5);
        AssertManagedMatchesOnnxRuntime(OnlyY(full), inputs);
    }

    /// <summary>ONNX Runtime refuses a past without present outputs; the managed Y matches its own full run, which matches ONNX Runtime.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void OnlyYWithAPastMatchesTheFullRun(int rank)
    {
        var c = new Case(rank, 2, 4, 2, 3, 4, 4, 4, PastLength: 2, Mask: "float");
        var (full, inputs) = Build(c, seed: 5);
        AssertManagedMatchesOnnxRuntime(full, inputs);
        AssertEqual(RunManaged(full, inputs)[0], RunManaged(OnlyY(full), inputs)[0], "Y");
    }

    private static ModelProto OnlyY(ModelProto full)
    {
        var graph = new GraphBuilder("attention");
        foreach (var input in full.Graph.Input) graph.Input(input.Name, (DataType)input.Type.TensorType.ElemType, Dims(input));
        graph.Node("Attention", [.. full.Graph.Node[0].Input], ["Y"], [.. full.Graph.Node[0].Attribute]);
        graph.Output("Y", Dims(full.Graph.Output[0]));
        return graph.ToModel(23, "", []);
    }

    [Theory]
    [InlineData("3-D GQA with past, every output")]
    [InlineData("4-D with past, only Y")]
    public void RunAllocatesNothing(string name)
    {
        var c = new Case(name.StartsWith("3-D") ? 3 : 4, 2, 4, 2, 3, 4, 8, 8, PastLength: 2, Causal: true, Mask: "bool", Softcap: 1f);
        var (model, inputs) = Build(c, seed: 9);
        var node = model.Graph.Node[0].Clone();
        if (name.EndsWith("only Y"))
        {
            node.Output.Clear();
            node.Output.Add("Y");
        }
        Assert.Equal(0, BytesPerOperatorRun(node, inputs));
    }

    public static TheoryData<string, AttributeProto[], string[]> Refused() => new()
    {
        { "qk_matmul_output_mode", [GraphBuilder.Attribute("qk_matmul_output_mode", 4L)], ["Q", "K", "V"] },
        { "softmax_precision", [GraphBuilder.Attribute("softmax_precision", 11L)], ["Q", "K", "V"] },
        { "softcap", [GraphBuilder.Attribute("softcap", -1f)], ["Q", "K", "V"] },
        { "is_causal", [GraphBuilder.Attribute("is_causal", 2L)], ["Q", "K", "V"] },
        { "past_value", [], ["Q", "K", "V", "", "Q"] },
        { "nonpad_kv_seqlen", [], ["Q", "K", "V", "", "", "", "Q"] },
        { "window", [GraphBuilder.Attribute("window", 2L)], ["Q", "K", "V"] },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void WhatItDoesNotImplementIsRefusedAtLoad(string name, AttributeProto[] attributes, string[] nodeInputs)
    {
        var graph = new GraphBuilder("attention");
        graph.Input("Q", 1, 1, 2, 4);
        graph.Input("K", 1, 1, 2, 4);
        graph.Input("V", 1, 1, 2, 4);
        graph.Node("Attention", nodeInputs, ["Y"], attributes);
        graph.Output("Y", 1, 1, 2, 4);
        var error = Assert.Throws<BackendUnavailableException>(() => new ManagedBackendFactory().Create(ModelSource.FromProto("attention", graph.ToModel(23, "", []))));
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void ThreeDimensionalInputsWithoutHeadCountsAreAShapeError()
    {
        var graph = new GraphBuilder("attention");
        graph.Input("Q", 1, 2, 8);
        graph.Input("K", 1, 2, 8);
        graph.Input("V", 1, 2, 8);
        graph.Node("Attention", ["Q", "K", "V"], ["Y"]);
        graph.Output("Y", 1, 2, 8);
        using var backend = new ManagedBackendFactory().Create(ModelSource.FromProto("attention", graph.ToModel(23, "", [])));
        var error = Assert.ThrowsAny<Exception>(() => backend.RunRented([Floats(new float[16], 1, 2, 8), Floats(new float[16], 1, 2, 8), Floats(new float[16], 1, 2, 8)], CancellationToken.None).Dispose());
        Assert.Contains("q_num_heads", error.Message);
    }

    /// <summary>The model of one Attention node with every output (Y, present_key, present_value, qk_matmul_output), and random inputs for it.</summary>
    internal static (ModelProto Model, TensorView[] Inputs) Build(Case c, int seed)
    {
        var graph = new GraphBuilder("attention");
        int[] q = c.Rank == 4 ? [c.Batch, c.QHeads, c.QLength, c.HeadSize] : [c.Batch, c.QLength, c.QHeads * c.HeadSize];
        int[] k = c.Rank == 4 ? [c.Batch, c.KvHeads, c.KvLength, c.HeadSize] : [c.Batch, c.KvLength, c.KvHeads * c.HeadSize];
        int[] v = c.Rank == 4 ? [c.Batch, c.KvHeads, c.KvLength, c.ValueSize] : [c.Batch, c.KvLength, c.KvHeads * c.ValueSize];
        var inputs = new List<TensorView>();
        var nodeInputs = new List<string>();
        void Add(string name, DataType type, int[] shape, TensorView value)
        {
            graph.Input(name, type, [.. shape.Cast<object>()]);
            nodeInputs.Add(name);
            inputs.Add(value);
        }
        Add("Q", DataType.Float, q, Floats(Random(seed, Count(q)), q));
        Add("K", DataType.Float, k, Floats(Random(seed + 1, Count(k)), k));
        Add("V", DataType.Float, v, Floats(Random(seed + 2, Count(v)), v));
        var mask = c.MaskDims;
        if (c.Mask == "bool")
        {
            // Every query attends key 0, so only FullyMaskedRow tests a row with nothing to attend.
            var random = Random(seed + 3, Count(mask));
            Add("attn_mask", DataType.Bool, mask, Bools(random.Select((r, i) => i % mask[^1] == 0 || r > -0.3f).ToArray(), mask));
        }
        else if (c.Mask == "float")
        {
            var random = Random(seed + 3, Count(mask), -2f, 2f);
            var values = random.Select((r, i) => i % mask[^1] != 0 && r > 1.4f ? float.NegativeInfinity : r).ToArray();
            Add("attn_mask", DataType.Float, mask, Floats(values, mask));
        }
        else nodeInputs.Add("");
        if (c.PastLength > 0)
        {
            int[] pastKey = [c.Batch, c.KvHeads, c.PastLength, c.HeadSize], pastValue = [c.Batch, c.KvHeads, c.PastLength, c.ValueSize];
            Add("past_key", DataType.Float, pastKey, Floats(Random(seed + 4, Count(pastKey)), pastKey));
            Add("past_value", DataType.Float, pastValue, Floats(Random(seed + 5, Count(pastValue)), pastValue));
        }
        while (nodeInputs[^1].Length == 0) nodeInputs.RemoveAt(nodeInputs.Count - 1);
        var attributes = new List<AttributeProto> { GraphBuilder.Attribute("qk_matmul_output_mode", (long)c.Mode) };
        if (c.Causal) attributes.Add(GraphBuilder.Attribute("is_causal", 1L));
        if (c.Rank == 3)
        {
            attributes.Add(GraphBuilder.Attribute("q_num_heads", (long)c.QHeads));
            attributes.Add(GraphBuilder.Attribute("kv_num_heads", (long)c.KvHeads));
        }
        if (c.Softcap > 0) attributes.Add(GraphBuilder.Attribute("softcap", c.Softcap));
        if (c.Scale > 0) attributes.Add(GraphBuilder.Attribute("scale", c.Scale));
        graph.Node("Attention", [.. nodeInputs], ["Y", "present_key", "present_value", "qk_matmul_output"], [.. attributes]);
        graph.Output("Y", c.Rank == 4 ? [c.Batch, c.QHeads, c.QLength, c.ValueSize] : [c.Batch, c.QLength, c.QHeads * c.ValueSize]);
        graph.Output("present_key", c.Batch, c.KvHeads, c.Total, c.HeadSize);
        graph.Output("present_value", c.Batch, c.KvHeads, c.Total, c.ValueSize);
        graph.Output("qk_matmul_output", c.Batch, c.QHeads, c.QLength, c.Total);
        return (graph.ToModel(23, "", []), [.. inputs]);
    }

    /// <summary>A mask of <paramref name="rows"/> × 1 × 1 × keys repeated <paramref name="times"/> along its query axis.</summary>
    private static TensorView Repeat(TensorView mask, int rows, int times)
    {
        var keys = mask.Shape[^1];
        int[] shape = [rows, 1, times, keys];
        if (mask.ElementType == TensorElementType.Bool)
        {
            var source = mask.As<bool>().Span.ToArray();
            return Bools(Enumerable.Range(0, rows * times * keys).Select(i => source[i / (times * keys) * keys + i % keys]).ToArray(), shape);
        }
        var values = mask.As<float>().Span.ToArray();
        return Floats(Enumerable.Range(0, rows * times * keys).Select(i => values[i / (times * keys) * keys + i % keys]).ToArray(), shape);
    }

    private static int Count(int[] shape) => shape.Aggregate(1, (a, d) => a * d);

    private static object[] Dims(ValueInfoProto value) => [.. value.Type.TensorType.Shape.Dim.Select(d => (object)(int)d.DimValue)];
}
