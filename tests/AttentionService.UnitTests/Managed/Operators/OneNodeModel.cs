using AttentionService.Backends.Managed;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>A value a one-node model reads: a graph input the run feeds, or an initializer stored in the model.</summary>
public sealed record NodeInput(string Name, TensorView Value, bool IsInitializer = false)
{
    public static NodeInput Floats(string name, float[] data, params int[] shape) => new(name, Tensor.Wrap(data, shape).View);

    public static NodeInput Int64s(string name, long[] data, params int[] shape) => new(name, Tensor.Wrap(data, shape).View);

    public static NodeInput Bools(string name, bool[] data, params int[] shape) => new(name, Tensor.Wrap(data, shape).View);

    /// <summary>The same value stored in the model as an initializer (a constant, known when the plan is made).</summary>
    public NodeInput AsInitializer() => this with { IsInitializer = true };
}

/// <summary>
/// One ONNX node in a model of its own, run on the managed backend and on ONNX Runtime, so each operator is checked
/// against the reference implementation on the same bytes.
/// </summary>
public sealed class OneNodeModel
{
    private const double FloatTolerance = 1e-5;

    private readonly NodeInput[] _inputs;

    /// <param name="inputs">The node's inputs in order; null leaves an optional input out ("").</param>
    /// <param name="outputs">The node's outputs and their ONNX types; a null name leaves an optional output out.</param>
    public OneNodeModel(string opType, NodeInput?[] inputs, (string? Name, TensorProto.Types.DataType Type)[] outputs,
        AttributeProto[] attributes, long opset = OnnxVersions.Opset)
    {
        _inputs = inputs.OfType<NodeInput>().ToArray();
        var graph = new GraphBuilder(opType.ToLowerInvariant());
        foreach (var input in _inputs)
        {
            if (input.IsInitializer) AddInitializer(graph, input);
            else graph.Input(input.Name, DataType(input.Value.ElementType), input.Value.Shape.Cast<object>().ToArray());
        }
        // Trailing absent inputs are left off the node (ONNX Runtime's LayerNormalization crashes the process on a trailing "").
        var named = inputs.Select(i => i?.Name ?? "").ToArray();
        var count = named.Length;
        while (count > 0 && named[count - 1].Length == 0) count--;
        graph.Node(opType, named[..count], outputs.Select(o => o.Name ?? "").ToArray(), attributes);
        foreach (var (name, type) in outputs)
            if (name is not null) graph.Output(name, type);
        Proto = graph.ToModel(opset, "one node", []);
        // Outputs declare their type only: the shape is what the node computes.
        foreach (var output in Proto.Graph.Output) output.Type.TensorType.Shape = null;
        // ONNX Runtime checks that the IR version can carry the opset (opset 19 came with IR 9).
        if (opset >= 19) Proto.IrVersion = 10;
    }

    /// <summary>A single-output node whose output <c>y</c> has type <paramref name="outputType"/>.</summary>
    public static OneNodeModel Single(string opType, NodeInput?[] inputs, TensorProto.Types.DataType outputType = TensorProto.Types.DataType.Float,
        long opset = OnnxVersions.Opset, params AttributeProto[] attributes) =>
        new(opType, inputs, [("y", outputType)], attributes, opset);

    public ModelProto Proto { get; }

    public ModelSource Source => ModelSource.FromProto(Proto.Graph.Name, Proto);

    /// <summary>The managed backend for the model (its constructor is where refusals surface).</summary>
    public IModelBackend LoadManaged() => new ManagedBackendFactory().Create(Source);

    /// <summary>Runs the model on the managed backend; copies of the outputs with their shapes.</summary>
    public (int[] Shape, Array Data)[] RunManaged() => Run(LoadManaged());

    /// <summary>
    /// Runs the model in an ONNX Runtime session of its own (not the service's backend, which binds outputs of the
    /// declared shapes: these models leave output shapes to the node).
    /// </summary>
    public (int[] Shape, Array Data)[] RunOnnxRuntime()
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(Source.Bytes, options);
        var feeds = _inputs.Where(i => !i.IsInitializer).ToArray();
        var values = feeds.Select(i => ToOrtValue(i.Value)).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            var names = Proto.Graph.Output.Select(o => o.Name).ToArray();
            using var outputs = session.Run(runOptions, feeds.Select(i => i.Name).ToArray(), values, names);
            return outputs.Select(o =>
            {
                var info = o.GetTensorTypeAndShape();
                var shape = info.Shape.Select(d => (int)d).ToArray();
                Array data = info.ElementDataType switch
                {
                    OrtElementType.Float => o.GetTensorDataAsSpan<float>().ToArray(),
                    OrtElementType.Int64 => o.GetTensorDataAsSpan<long>().ToArray(),
                    _ => o.GetTensorDataAsSpan<bool>().ToArray(),
                };
                return (shape, data);
            }).ToArray();
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    private static OrtValue ToOrtValue(TensorView view)
    {
        var shape = view.Shape.Select(d => (long)d).ToArray();
        return view.ElementType switch
        {
            TensorElementType.Float32 => OrtValue.CreateTensorValueFromMemory(view.As<float>().Span.ToArray(), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(view.As<long>().Span.ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(view.As<bool>().Span.ToArray(), shape),
        };
    }

    /// <summary>
    /// Both engines give the same outputs: the same shapes, int64 and bool equal, floats within 1e-5 + 1e-5·|expected|
    /// (NaN only where ONNX Runtime has NaN).
    /// </summary>
    public void AssertManagedMatchesOnnxRuntime(double tolerance = FloatTolerance)
    {
        var expected = RunOnnxRuntime();
        var actual = RunManaged();
        Assert.Equal(expected.Length, actual.Length);
        for (var o = 0; o < expected.Length; o++)
        {
            Assert.Equal(expected[o].Shape, actual[o].Shape);
            switch (expected[o].Data)
            {
                case float[] floats:
                    AssertFloatsClose(floats, (float[])actual[o].Data, tolerance, $"{Proto.Graph.Node[0].OpType} output {o}");
                    break;
                default:
                    Assert.Equal(expected[o].Data, actual[o].Data);
                    break;
            }
        }
    }

    public static void AssertFloatsClose(float[] expected, float[] actual, double tolerance, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]) || float.IsInfinity(expected[i]))
            {
                Assert.True(expected[i].Equals(actual[i]), $"{label}[{i}]: expected {expected[i]}, got {actual[i]}");
                continue;
            }
            var allowed = tolerance + tolerance * Math.Abs(expected[i]);
            Assert.True(Math.Abs((double)expected[i] - actual[i]) <= allowed,
                $"{label}[{i}]: expected {expected[i]:R}, got {actual[i]:R}; error {Math.Abs((double)expected[i] - actual[i]):E2} > {allowed:E2}");
        }
    }

    private (int[] Shape, Array Data)[] Run(IModelBackend backend)
    {
        using (backend)
        {
            var feeds = _inputs.Where(i => !i.IsInitializer).Select(i => i.Value).ToArray();
            using var outputs = backend.RunRented(feeds, CancellationToken.None);
            var result = new (int[], Array)[outputs.Count];
            for (var o = 0; o < outputs.Count; o++)
            {
                var view = outputs[o];
                result[o] = (view.Shape.ToArray(), view.ElementType switch
                {
                    TensorElementType.Float32 => view.As<float>().Span.ToArray(),
                    TensorElementType.Int64 => view.As<long>().Span.ToArray(),
                    _ => view.As<bool>().Span.ToArray(),
                });
            }
            return result;
        }
    }

    private static void AddInitializer(GraphBuilder graph, NodeInput input)
    {
        var dims = input.Value.Shape.Select(d => (long)d).ToArray();
        switch (input.Value.ElementType)
        {
            case TensorElementType.Float32: graph.Initializer(input.Name, input.Value.As<float>().Span, dims); break;
            case TensorElementType.Int64: graph.Initializer(input.Name, input.Value.As<long>().Span, dims); break;
            default: graph.Initializer(input.Name, input.Value.As<bool>().Span, dims); break;
        }
    }

    private static TensorProto.Types.DataType DataType(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => TensorProto.Types.DataType.Float,
        TensorElementType.Int64 => TensorProto.Types.DataType.Int64,
        _ => TensorProto.Types.DataType.Bool,
    };
}
