using AttentionService.Backends.Managed;
using AttentionService.Backends.OnnxRuntime;
using AttentionService.Benchmarks.Models;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AttentionService.Benchmarks.Kernels;

/// <summary>
/// Each case on each backend, side by side in one run. The baseline is ONNX Runtime's raw OrtValue path (pre-allocated
/// outputs) on one intra-op thread, the thread count of the managed backend, which runs a request on its caller's
/// thread; the Ratio column is then "time / ONNX Runtime's time". ONNX Runtime with its default threads (one per
/// core) and both backends through <see cref="IModelBackend"/> are shown beside it: into outputs allocated once
/// (which allocates nothing), and the managed backend with outputs rented per run as the host rents them, for comparison.
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
    private TensorView[] _managedViews = null!;
    private TensorView[] _onnxViews = null!;

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
        _managedOutputs = ModelBackendExtensions.RentOutputs(model.Signature, _inputs.Views);
        _onnxOutputs = ModelBackendExtensions.RentOutputs(model.Signature, _inputs.Views);
        _managedViews = Array.ConvertAll(_managedOutputs, tensor => (TensorView)tensor);
        _onnxViews = Array.ConvertAll(_onnxOutputs, tensor => (TensorView)tensor);
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
    public float OrtBackend() => RunInto(_onnx, _onnxViews, _onnxOutputs);

    [Benchmark(Description = "Managed IModelBackend")]
    public float Managed() => RunInto(_managed, _managedViews, _managedOutputs);

    [Benchmark(Description = "Managed IModelBackend, allocating")]
    public float ManagedAllocating() => RunAndRelease(_managed);

    private float RunInto(IModelBackend backend, TensorView[] views, Tensor<float>[] outputs)
    {
        backend.Run(_inputs.Views, views, CancellationToken.None);
        return outputs[0].Span[0];
    }

    /// <summary>A run that rents its outputs, as the host does per request: sized from the signature, read, and returned to the pool.</summary>
    private float RunAndRelease(IModelBackend backend)
    {
        var outputs = backend.RunRented(_inputs.Views, CancellationToken.None);
        var first = outputs[0].Span[0];
        foreach (var output in outputs) output.Dispose();
        return first;
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
