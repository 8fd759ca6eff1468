using AttentionService.Backends.Managed;
using AttentionService.Backends.OnnxRuntime;
using AttentionService.Benchmarks.Models;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AttentionService.Benchmarks.Kernels;

/// <summary>
/// Each case on each backend, side by side in one run. The baseline is ONNX Runtime's raw OrtValue path (pre-allocated
/// outputs) on one intra-op thread, the thread count of the managed backend, which runs a request on its caller's
/// thread; the Ratio column is then "time / ONNX Runtime's time". ONNX Runtime with its default threads (one per
/// core) and both backends through <see cref="IModelBackend"/> are shown beside it: into outputs sized and rented
/// once in setup (a <see cref="FixedOutputs"/>, so the run allocates nothing and the time is the run's), and the
/// managed backend with outputs rented per run as the host rents them (<see cref="ModelBackendExtensions.RunRented"/>),
/// for comparison.
/// </summary>
public abstract class BackendBenchmarks
{
    private IModelBackend _managed = null!;
    private IModelBackend _onnx = null!;
    private RawOrtRunner _rawOneThread = null!;
    private RawOrtRunner _rawDefaultThreads = null!;
    private CaseInputs _inputs = null!;
    private Tensor<float>[] _managedOutputs = null!;
    private Tensor<float>[] _onnxOutputs = null!;
    private FixedOutputs _managedDestinations = null!;
    private FixedOutputs _onnxDestinations = null!;

    public abstract AttentionCase Case { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = ModelFiles.Load(Case.Model);
        _inputs = CaseInputs.Create(Case, model.Signature);
        _managed = new ManagedBackendFactory().Create(model);
        _onnx = new OnnxRuntimeBackendFactory(new OnnxRuntimeSettings { IntraOpNumThreads = 1 },
            NullLogger<OnnxRuntimeBackendFactory>.Instance).Create(model);
        _rawOneThread = new RawOrtRunner(Case, _inputs, intraOpThreads: 1);
        _rawDefaultThreads = new RawOrtRunner(Case, _inputs, intraOpThreads: 0);
        (_managedOutputs, _managedDestinations) = SizeOutputs(model.Signature, _inputs.Views);
        (_onnxOutputs, _onnxDestinations) = SizeOutputs(model.Signature, _inputs.Views);
    }

    /// <summary>Pooled outputs of the shapes the signature resolves for the case, and destinations over them, made once.</summary>
    private static (Tensor<float>[] Outputs, FixedOutputs Destinations) SizeOutputs(ModelSignature signature, TensorView[] inputs)
    {
        var outputs = new Tensor<float>[signature.Outputs.Count];
        for (var o = 0; o < outputs.Length; o++)
        {
            var shape = new int[signature.Outputs[o].Rank];
            if (!signature.TryResolveOutputShape(o, inputs, shape))
                throw new InvalidOperationException($"output '{signature.Outputs[o].Name}' of the case cannot be sized from the signature");
            outputs[o] = Tensor.Rent<float>(shape);
        }
        var views = Array.ConvertAll(outputs, tensor => (TensorView)tensor);
        return (outputs, new FixedOutputs(views, signature.Outputs.Select(o => o.Name).ToArray()));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _managed.Dispose();
        _onnx.Dispose();
        _rawOneThread.Dispose();
        _rawDefaultThreads.Dispose();
        _inputs.Dispose();
        foreach (var output in _managedOutputs.Concat(_onnxOutputs)) output.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ORT raw, 1 thread")]
    public void OrtRawOneThread() => _rawOneThread.Run();

    [Benchmark(Description = "ORT IoBinding, 1 thread")]
    public void OrtBindingOneThread() => _rawOneThread.RunWithBinding();

    [Benchmark(Description = "ORT raw, default threads")]
    public void OrtRawDefaultThreads() => _rawDefaultThreads.Run();

    [Benchmark(Description = "ORT IModelBackend, 1 thread")]
    public float OrtBackend() => RunInto(_onnx, _onnxDestinations, _onnxOutputs);

    [Benchmark(Description = "Managed IModelBackend")]
    public float Managed() => RunInto(_managed, _managedDestinations, _managedOutputs);

    [Benchmark(Description = "Managed IModelBackend, allocating")]
    public float ManagedAllocating() => RunAndRelease(_managed, _inputs.Views);

    private float RunInto(IModelBackend backend, FixedOutputs destinations, Tensor<float>[] outputs)
    {
        backend.Run(_inputs.Views, destinations, CancellationToken.None);
        return outputs[0].Span[0];
    }

    /// <summary>A run that rents its outputs, as the host does per request: sized as the backend asks, read, and returned to the pool.</summary>
    private static float RunAndRelease(IModelBackend backend, TensorView[] inputs)
    {
        using var outputs = backend.RunRented(inputs, CancellationToken.None);
        return outputs.Float(0).Span[0];
    }
}

/// <summary>The shapes: luong-dot at four shapes and multihead at 128.</summary>
public class StandardShapes : BackendBenchmarks
{
    [ParamsSource(nameof(Cases))]
    public override AttentionCase Case { get; set; } = null!;

    public static IEnumerable<AttentionCase> Cases => AttentionCase.Standard();
}

/// <summary>scaled-dot, luong-general, bahdanau and multihead at the decoder step and at 128.</summary>
public class OtherModels : BackendBenchmarks
{
    [ParamsSource(nameof(Cases))]
    public override AttentionCase Case { get; set; } = null!;

    public static IEnumerable<AttentionCase> Cases => AttentionCase.OtherModels();
}
