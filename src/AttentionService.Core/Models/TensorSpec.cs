using AttentionService.Core.Tensors;

namespace AttentionService.Core.Models;

/// <summary>
/// One input or output of a model, in the Open Inference Protocol (KServe v2) metadata form: <see cref="Shape"/> holds
/// -1 for a dynamic dimension, whose name (from the ONNX dim_param) is in <see cref="DimNames"/>.
/// </summary>
public sealed record TensorSpec(string Name, TensorElementType ElementType, long[] Shape, string?[] DimNames)
{
    /// <summary>The Open Inference Protocol datatype, e.g. FP32.</summary>
    public string Datatype => ElementType.ToWireName();

    public int Rank => Shape.Length;

    /// <summary>A readable form such as <c>[batch, tq, 64]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape.Select((d, i) => d >= 0 ? d.ToString() : DimNames[i] ?? "?")) + "]";
}
