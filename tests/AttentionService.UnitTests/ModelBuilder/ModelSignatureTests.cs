using AttentionService.Core.Models;
using AttentionService.ModelBuilder.Graphs;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Tests.ModelBuilder;

/// <summary>What each committed model declares: its inputs, outputs, dims, metadata and the ops it uses.</summary>
public sealed class ModelSignatureTests
{
    private static readonly string[] InputNames = ["query", "keys", "values", "mask"];
    private static readonly string[] OutputNames = ["context", "weights"];

    /// <summary>The ops the managed backend implements; no shipped model may use any other.</summary>
    private static readonly HashSet<string> ManagedOps = [.. AttentionService.Backends.Managed.Operators.OperatorCatalog.SupportedOps];

    /// <summary>Shapes of query, keys, values, mask, context, weights, in that order.</summary>
    public static TheoryData<string, string[]> ExpectedShapes() => new()
    {
        { "luong-dot", ["[batch, tq, d]", "[batch, tv, d]", "[batch, tv, dv]", "[batch, tq, tv]", "[batch, tq, dv]", "[batch, tq, tv]"] },
        { "scaled-dot", ["[batch, tq, d]", "[batch, tv, d]", "[batch, tv, dv]", "[batch, tq, tv]", "[batch, tq, dv]", "[batch, tq, tv]"] },
        { "luong-general", ["[batch, tq, 64]", "[batch, tv, 64]", "[batch, tv, dv]", "[batch, tq, tv]", "[batch, tq, dv]", "[batch, tq, tv]"] },
        { "bahdanau", ["[batch, tq, 64]", "[batch, tv, 64]", "[batch, tv, dv]", "[batch, tq, tv]", "[batch, tq, dv]", "[batch, tq, tv]"] },
        { "multihead", ["[batch, tq, 64]", "[batch, tv, 64]", "[batch, tv, 64]", "[batch, tq, tv]", "[batch, tq, 64]", "[batch, 4, tq, tv]"] },
    };

    /// <summary>Values of attention.scoring, attention.scale, attention.heads, attention.d.</summary>
    public static TheoryData<string, string[]> ExpectedDescriptions() => new()
    {
        { "luong-dot", ["dot", "none", "1", "dynamic"] },
        { "scaled-dot", ["scaled-dot", "1/sqrt(d)", "1", "dynamic"] },
        { "luong-general", ["general", "none", "1", "64"] },
        { "bahdanau", ["additive", "none", "1", "64"] },
        { "multihead", ["multihead-scaled-dot", "0.25", "4", "64"] },
    };

    [Theory, MemberData(nameof(ExpectedShapes))]
    public void SignatureShowsTheCommonInputsAndOutputsWithTheirDims(string name, string[] shapes)
    {
        var signature = ModelSignature.FromOnnx(Load(name));
        Assert.Equal(InputNames, signature.Inputs.Select(i => i.Name));
        Assert.Equal(OutputNames, signature.Outputs.Select(o => o.Name));
        Assert.Equal(shapes, signature.Inputs.Concat(signature.Outputs).Select(s => s.ShapeText));
        Assert.All(signature.Inputs.Concat(signature.Outputs), s => Assert.Equal("FP32", s.Datatype));
    }

    [Theory, MemberData(nameof(CommittedModelsTests.ModelNames), MemberType = typeof(CommittedModelsTests))]
    public void OnnxRuntimeLoadsTheModelAndSeesTheSameInputsAndOutputs(string name)
    {
        var signature = ModelSignature.FromOnnx(Load(name));
        using var session = new InferenceSession(RepoPaths.Model(name));
        Assert.Equal(InputNames, session.InputNames);
        Assert.Equal(OutputNames, session.OutputNames);
        foreach (var spec in signature.Inputs)
            AssertSameDims(spec, session.InputMetadata[spec.Name]);
        foreach (var spec in signature.Outputs)
            AssertSameDims(spec, session.OutputMetadata[spec.Name]);
    }

    [Theory, MemberData(nameof(ExpectedDescriptions))]
    public void MetadataDescribesTheModelWithKeysInAFixedOrder(string name, string[] described)
    {
        var model = Load(name);
        Assert.Equal(
            [AttentionMetadata.ScoringKey, AttentionMetadata.ScaleKey, AttentionMetadata.HeadsKey,
             AttentionMetadata.DKey, AttentionMetadata.FormulaKey, AttentionMetadata.WeightsKey],
            model.MetadataProps.Select(p => p.Key));
        Assert.Equal(described, model.MetadataProps.Take(4).Select(p => p.Value));
        Assert.Contains("softmax", model.MetadataProps[4].Value);
        Assert.False(string.IsNullOrWhiteSpace(model.DocString), $"model '{name}' has no doc_string");

        using var session = new InferenceSession(RepoPaths.Model(name));
        var ortMetadata = session.ModelMetadata.CustomMetadataMap;
        Assert.All(model.MetadataProps, p => Assert.Equal(p.Value, ortMetadata[p.Key]));
        Assert.Equal(model.DocString, session.ModelMetadata.Description);
    }

    [Theory, MemberData(nameof(CommittedModelsTests.ModelNames), MemberType = typeof(CommittedModelsTests))]
    public void GraphUsesOnlyOpsTheManagedBackendImplements(string name)
    {
        var model = Load(name);
        Assert.Equal(OnnxVersions.IrVersion, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal(("", OnnxVersions.Opset), (opset.Domain, opset.Version));
        var unsupported = model.Graph.Node.Select(n => n.OpType).Where(op => !ManagedOps.Contains(op)).Distinct().ToArray();
        Assert.True(unsupported.Length == 0, $"model '{name}' uses {string.Join(", ", unsupported)}; the managed backend implements {string.Join(", ", ManagedOps)}");
        Assert.All(model.Graph.Node, n => Assert.Equal("", n.Domain));
    }

    private static ModelProto Load(string name) => OnnxModelFile.Parse(File.ReadAllBytes(RepoPaths.Model(name)));

    private static void AssertSameDims(TensorSpec spec, NodeMetadata ort)
    {
        Assert.Equal(spec.Rank, ort.Dimensions.Length);
        for (var axis = 0; axis < spec.Rank; axis++)
        {
            Assert.Equal(spec.Shape[axis], ort.Dimensions[axis]);
            Assert.Equal(spec.DimNames[axis] ?? "", ort.SymbolicDimensions[axis]);
        }
    }
}
