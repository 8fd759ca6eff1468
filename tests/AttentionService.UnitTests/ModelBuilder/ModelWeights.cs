using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Reference;

namespace AttentionService.Tests.ModelBuilder;

/// <summary>Learned weights read back from a model's ONNX initializers, for the references.</summary>
public static class ModelWeights
{
    /// <summary>The 2-D initializer <paramref name="name"/> as [rows][cols] doubles.</summary>
    public static double[][] Matrix(ModelProto model, string name)
    {
        var tensor = model.Graph.Initializer.SingleOrDefault(t => t.Name == name)
            ?? throw new ArgumentException($"model '{model.Graph.Name}' has no initializer '{name}'; initializers are " +
                string.Join(", ", model.Graph.Initializer.Select(t => t.Name)));
        if (tensor.Dims.Count != 2)
            throw new ArgumentException($"initializer '{name}' has rank {tensor.Dims.Count}, expected 2");
        return ReferenceMath.Matrix(InitializerData.ToFloats(tensor), (int)tensor.Dims[0], (int)tensor.Dims[1]);
    }
}
