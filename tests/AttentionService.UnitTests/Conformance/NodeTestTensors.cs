using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.Tests.Conformance;

/// <summary>
/// The tensors of ONNX's backend tests (<c>input_N.pb</c>, <c>output_N.pb</c>: one serialized TensorProto each) as the
/// service's tensors. Only the types the managed backend serves are read; any other is an
/// <see cref="InvalidDataException"/> naming it.
/// </summary>
public static class NodeTestTensors
{
    public static TensorView Read(string path)
    {
        var proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var shape = InitializerData.Shape(proto);
        return (TensorProto.Types.DataType)proto.DataType switch
        {
            TensorProto.Types.DataType.Float => Tensor.Wrap(InitializerData.ToFloats(proto), shape).View,
            TensorProto.Types.DataType.Int64 => Tensor.Wrap(InitializerData.ToInt64s(proto), shape).View,
            TensorProto.Types.DataType.Bool => Tensor.Wrap(InitializerData.ToBools(proto), shape).View,
            _ => throw new InvalidDataException(
                $"{Path.GetFileName(path)} holds {DataTypeName(proto.DataType)}; the managed backend serves FLOAT, INT64 and BOOL"),
        };
    }

    /// <summary>ONNX's name for a data type number, including those newer than the .proto subset (BFLOAT16 is 16).</summary>
    public static string DataTypeName(int dataType) => dataType switch
    {
        14 => "COMPLEX64",
        15 => "COMPLEX128",
        16 => "BFLOAT16",
        _ when Enum.IsDefined((TensorProto.Types.DataType)dataType) => ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant(),
        _ => $"data type {dataType}",
    };
}
