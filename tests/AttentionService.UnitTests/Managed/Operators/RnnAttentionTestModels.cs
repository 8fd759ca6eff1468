using AttentionService.Backends.Managed;
using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using Microsoft.ML.OnnxRuntime;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>
/// What the GRU, LSTM and Attention tests share: random inputs, one model run on the managed backend and on ONNX
/// Runtime with every graph output compared, and operator runs measured for allocation.
/// </summary>
public static class RnnAttentionTestModels
{
    /// <summary>Float outputs agree within this, absolutely and relative to the expected value.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>Uniform floats in [<paramref name="low"/>, <paramref name="high"/>) from a fixed seed.</summary>
    public static float[] Random(int seed, int count, float low = -1f, float high = 1f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++) values[i] = low + (float)random.NextDouble() * (high - low);
        return values;
    }

    public static TensorView Floats(float[] data, params int[] shape) => Tensor.Wrap(data, shape).View;

    public static TensorView Int64s(long[] data, params int[] shape) => Tensor.Wrap(data, shape).View;

    public static TensorView Bools(bool[] data, params int[] shape) => Tensor.Wrap(data, shape).View;

    /// <summary>
    /// Runs <paramref name="model"/> on both engines with <paramref name="inputs"/> (in graph input order) and asserts
    /// every graph output has ONNX Runtime's shape and values.
    /// </summary>
    public static void AssertManagedMatchesOnnxRuntime(ModelProto model, params TensorView[] inputs) =>
        AssertAllEqual(RunOnnxRuntime(model, inputs), RunManaged(model, inputs), model);

    /// <summary>The outputs of one managed run, copied.</summary>
    public static TensorView[] RunManaged(ModelProto model, params TensorView[] inputs)
    {
        var source = ModelSource.FromProto(model.Graph.Name, model);
        using var backend = new ManagedBackendFactory().Create(source);
        using var outputs = backend.RunRented(inputs, CancellationToken.None);
        return Enumerable.Range(0, source.Signature.Outputs.Count).Select(o => Copy(outputs[o])).ToArray();
    }

    /// <summary>
    /// The outputs ONNX Runtime computes, copied out of native memory. An INT64 value fed to a graph input the model
    /// declares INT32 is narrowed (ONNX's GRU and LSTM take INT32 sequence_lens; the managed backend computes in INT64).
    /// </summary>
    public static TensorView[] RunOnnxRuntime(ModelProto model, params TensorView[] inputs)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet();
        var declared = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray();
        using var session = new InferenceSession(OnnxModelFile.ToBytes(model));
        using var runOptions = new RunOptions();
        var values = new OrtValue[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
                values[i] = ToOrt(inputs[i], (DataType)declared[i].Type.TensorType.ElemType);
            using var outputs = session.Run(runOptions, declared.Select(i => i.Name).ToArray(), values,
                model.Graph.Output.Select(o => o.Name).ToArray());
            return outputs.Select(FromOrt).ToArray();
        }
        finally
        {
            foreach (var value in values) value?.Dispose();
        }
    }

    /// <summary>Every output of <paramref name="model"/> as <see cref="AssertEqual"/> compares them.</summary>
    public static void AssertAllEqual(TensorView[] expected, TensorView[] actual, ModelProto model)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var o = 0; o < expected.Length; o++) AssertEqual(expected[o], actual[o], model.Graph.Output[o].Name);
    }

    /// <summary>A float tensor with its axes permuted (numpy transpose), as a new array.</summary>
    public static TensorView Transpose(TensorView view, params int[] permutation)
    {
        var source = view.As<float>();
        var rank = permutation.Length;
        var shape = permutation.Select(axis => source.Shape[axis]).ToArray();
        var strides = new int[rank];
        for (int axis = rank - 1, stride = 1; axis >= 0; stride *= source.Shape[axis], axis--) strides[axis] = stride;
        var data = new float[source.Length];
        var index = new int[rank];
        for (var i = 0; i < data.Length; i++)
        {
            var offset = 0;
            for (var axis = 0; axis < rank; axis++) offset += index[axis] * strides[permutation[axis]];
            data[i] = source.Span[offset];
            for (var axis = rank - 1; axis >= 0 && ++index[axis] == shape[axis]; axis--) index[axis] = 0;
        }
        return Floats(data, shape);
    }

    /// <summary>
    /// The least bytes <paramref name="node"/>'s operator allocates on this thread in one Run after warm-up, given
    /// <paramref name="inputs"/> in the node's input order (default for an absent one) and destinations of the shapes
    /// it infers (the run may rent scratch from the shared pool, which allocates nothing once warm).
    /// </summary>
    public static long BytesPerOperatorRun(NodeProto node, TensorView[] inputs)
    {
        var op = OperatorCatalog.Create(node);
        var shapes = new int[op.Outputs.Count][];
        op.InferShapes(inputs.Select(i => new PlanInput(i.Shape, default)).ToArray(), shapes);
        var outputs = shapes.Select(shape => Floats(new float[Tensor.ElementCount(shape)], shape)).ToArray();
        for (var i = 0; i < 5; i++) op.Run(inputs, outputs);
        var least = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            op.Run(inputs, outputs);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    /// <summary>A node of <paramref name="opType"/> reading <paramref name="inputs"/> ("" for absent) and writing <paramref name="outputs"/>.</summary>
    public static NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = opType + "_test" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    /// <summary>Same shape and type; floats within <see cref="Tolerance"/> (equal infinities match), others exactly.</summary>
    public static void AssertEqual(TensorView expected, TensorView actual, string label)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.ElementType, actual.ElementType);
        switch (expected.ElementType)
        {
            case TensorElementType.Float32:
                var e = expected.As<float>().Span;
                var a = actual.As<float>().Span;
                for (var i = 0; i < e.Length; i++)
                {
                    if (e[i] == a[i]) continue;
                    var error = Math.Abs((double)e[i] - a[i]);
                    if (!(error <= Tolerance + Tolerance * Math.Abs(e[i])))
                        Assert.Fail($"{label}[{i}] of {Tensor.ShapeText(expected.Shape)}: expected {e[i]}, got {a[i]} (error {error:E2})");
                }
                break;
            case TensorElementType.Int64:
                Assert.Equal(expected.As<long>().Span.ToArray(), actual.As<long>().Span.ToArray());
                break;
            default:
                Assert.Equal(expected.As<bool>().Span.ToArray(), actual.As<bool>().Span.ToArray());
                break;
        }
    }

    private static TensorView Copy(TensorView view) => view.ElementType switch
    {
        TensorElementType.Float32 => Floats(view.As<float>().Span.ToArray(), view.Shape),
        TensorElementType.Int64 => Int64s(view.As<long>().Span.ToArray(), view.Shape),
        _ => Bools(view.As<bool>().Span.ToArray(), view.Shape),
    };

    private static OrtValue ToOrt(TensorView view, DataType declared)
    {
        var shape = view.Shape.Select(d => (long)d).ToArray();
        if (declared == DataType.Int32 && view.ElementType == TensorElementType.Int64)
            return OrtValue.CreateTensorValueFromMemory(view.As<long>().Span.ToArray().Select(v => checked((int)v)).ToArray(), shape);
        return view.ElementType switch
        {
            TensorElementType.Float32 => OrtValue.CreateTensorValueFromMemory(view.As<float>().Span.ToArray(), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(view.As<long>().Span.ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(view.As<bool>().Span.ToArray(), shape),
        };
    }

    private static TensorView FromOrt(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape.Select(d => (int)d).ToArray();
        return info.ElementDataType switch
        {
            OrtElementType.Float => Floats(value.GetTensorDataAsSpan<float>().ToArray(), shape),
            OrtElementType.Int64 => Int64s(value.GetTensorDataAsSpan<long>().ToArray(), shape),
            OrtElementType.Bool => Bools(value.GetTensorDataAsSpan<bool>().ToArray(), shape),
            var other => throw new InvalidDataException($"ONNX Runtime returned {other}"),
        };
    }
}
