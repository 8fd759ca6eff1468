using AttentionService.Backends.Managed;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using Microsoft.ML.OnnxRuntime;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>
/// Small graphs of the shape and data-movement ops, run on the managed backend and on ONNX Runtime: every output must
/// have ONNX Runtime's type and shape, float32 within 1e-5 absolute plus relative, int64 and bool exactly.
/// </summary>
public static class ShapeOpRuns
{
    public const double Tolerance = 1e-5;

    /// <summary>A graph of one node reading <paramref name="inputs"/> (graph inputs, each of its value's type and shape) and writing outputs of the given types.</summary>
    public static ModelProto OneNode(string opType, (string Name, TensorView Value)[] inputs, (string Name, DataType Type)[] outputs,
        long opset = OnnxVersions.Opset, params AttributeProto[] attributes)
    {
        var graph = new GraphBuilder(opType.ToLowerInvariant());
        foreach (var (name, value) in inputs)
            graph.Input(name, DataTypeOf(value.ElementType), value.Shape.Cast<object>().ToArray());
        graph.Node(opType, inputs.Select(i => i.Name).ToArray(), outputs.Select(o => o.Name).ToArray(), attributes);
        foreach (var (name, type) in outputs) graph.Output(name, type);
        return WithoutOutputShapes(graph.ToModel(opset, "shape op test", []));
    }

    /// <summary>Leaves the outputs' shapes undeclared (GraphBuilder declares a rank), as exporters do for computed shapes.</summary>
    public static ModelProto WithoutOutputShapes(ModelProto model)
    {
        foreach (var output in model.Graph.Output) output.Type.TensorType.Shape = null;
        return model;
    }

    /// <summary>Runs <paramref name="model"/> on both engines with <paramref name="inputs"/> (in graph input order) and compares every output.</summary>
    public static void AssertManagedMatchesOnnxRuntime(ModelProto model, params TensorView[] inputs)
    {
        var expected = RunOnnxRuntime(model, inputs);
        using var backend = ManagedModels.Load(model);
        AssertMatches(backend, inputs, expected);
    }

    /// <summary>Runs the managed <paramref name="backend"/> and compares with outputs ONNX Runtime computed.</summary>
    public static void AssertMatches(ManagedBackend backend, TensorView[] inputs, (TensorElementType Type, int[] Shape, Array Data)[] expected)
    {
        using var outputs = backend.RunRented(inputs, CancellationToken.None);
        Assert.Equal(expected.Length, outputs.Count);
        for (var o = 0; o < expected.Length; o++)
        {
            var label = backend.Signature.Outputs[o].Name;
            var actual = outputs[o];
            Assert.Equal(expected[o].Type, actual.ElementType);
            Assert.Equal(expected[o].Shape, actual.Shape);
            switch (actual.ElementType)
            {
                case TensorElementType.Float32:
                    var want = (float[])expected[o].Data;
                    var got = actual.As<float>().Span;
                    for (var i = 0; i < want.Length; i++)
                        Assert.True(want[i].Equals(got[i]) || Math.Abs(want[i] - got[i]) <= Tolerance * (1 + Math.Abs(want[i])),
                            $"{label}[{i}]: ONNX Runtime {want[i]}, managed {got[i]}");
                    break;
                case TensorElementType.Int64:
                    Assert.Equal((long[])expected[o].Data, actual.As<long>().Span.ToArray());
                    break;
                default:
                    Assert.Equal((bool[])expected[o].Data, actual.As<bool>().Span.ToArray());
                    break;
            }
        }
    }

    /// <summary>Every output of <paramref name="model"/> on ONNX Runtime: type, shape and a copy of the data.</summary>
    public static (TensorElementType Type, int[] Shape, Array Data)[] RunOnnxRuntime(ModelProto model, params TensorView[] inputs)
    {
        using var session = new InferenceSession(OnnxModelFile.ToBytes(model));
        using var runOptions = new RunOptions();
        var values = inputs.Select(ToOrt).ToArray();
        try
        {
            var names = model.Graph.Input.Select(i => i.Name).ToArray();
            using var outputs = session.Run(runOptions, names, values, model.Graph.Output.Select(o => o.Name).ToArray());
            return outputs.Select(value =>
            {
                var info = value.GetTensorTypeAndShape();
                var shape = info.Shape.Select(d => (int)d).ToArray();
                return info.ElementDataType switch
                {
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float => (TensorElementType.Float32, shape, (Array)value.GetTensorDataAsSpan<float>().ToArray()),
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 => (TensorElementType.Int64, shape, value.GetTensorDataAsSpan<long>().ToArray()),
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool => (TensorElementType.Bool, shape, value.GetTensorDataAsSpan<bool>().ToArray()),
                    var other => throw new InvalidOperationException($"ONNX Runtime returned {other}"),
                };
            }).ToArray();
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    /// <summary>Loading <paramref name="model"/> on the managed backend is refused; returns the reason.</summary>
    public static string AssertRefusedAtLoad(ModelProto model) =>
        Assert.Throws<BackendUnavailableException>(() => ManagedModels.Load(model).Dispose()).Message;

    public static TensorView Floats(float[] data, params int[] shape) => Tensor.Wrap(data, shape).View;

    public static TensorView Int64s(long[] data, params int[] shape) => Tensor.Wrap(data, shape).View;

    public static TensorView Bools(bool[] data, params int[] shape) => Tensor.Wrap(data, shape).View;

    /// <summary>0, 1, 2, … as float32, so a misplaced element shows which one it is.</summary>
    public static TensorView Iota(params int[] shape)
    {
        var data = new float[Tensor.ElementCount(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = i;
        return Floats(data, shape);
    }

    /// <summary>0, 1, 2, … as int64.</summary>
    public static TensorView IotaInt64(params int[] shape)
    {
        var data = new long[Tensor.ElementCount(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = i * 10 - 7;
        return Int64s(data, shape);
    }

    /// <summary>A fixed pattern of true and false.</summary>
    public static TensorView BoolPattern(params int[] shape)
    {
        var data = new bool[Tensor.ElementCount(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = i % 3 != 1;
        return Bools(data, shape);
    }

    public static DataType DataTypeOf(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => DataType.Float,
        TensorElementType.Int64 => DataType.Int64,
        _ => DataType.Bool,
    };

    private static OrtValue ToOrt(TensorView view)
    {
        var shape = view.Shape.Select(d => (long)d).ToArray();
        return view.ElementType switch
        {
            TensorElementType.Float32 => OrtValue.CreateTensorValueFromMemory(view.As<float>().Span.ToArray(), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(view.As<long>().Span.ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(view.As<bool>().Span.ToArray(), shape),
        };
    }
}
