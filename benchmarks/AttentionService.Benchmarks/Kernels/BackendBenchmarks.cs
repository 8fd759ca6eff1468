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
/// core) and both backends through <see cref="IModelBackend"/> are shown beside it: into outputs allocated once
/// (the destination-passing run, which allocates nothing), and the managed backend's allocating run for comparison.
/// </summary>
public abstract class BackendBenchmarks
{
    private IModelBackend _managed = null!;
    private IModelBackend _onnx = null!;
    private RawOrtRunner _rawOneThread = null!;
    private RawOrtRunner _rawDefaultThreads = null!;
    private CaseInputs _inputs = null!;
    private Tensor[] _managedOutputs = null!;
    private Tensor[] _onnxOutputs = null!;

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
        _managedOutputs = RentOutputs(model.Signature);
        _onnxOutputs = RentOutputs(model.Signature);
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
    public float OrtBackend() => RunInto(_onnx, _onnxOutputs);

    [Benchmark(Description = "Managed IModelBackend")]
    public float Managed() => RunInto(_managed, _managedOutputs);

    [Benchmark(Description = "Managed IModelBackend, allocating")]
    public float ManagedAllocating() => RunAndRelease(_managed);

    private float RunInto(IModelBackend backend, Tensor[] outputs)
    {
        backend.Run(_inputs.Ordered, outputs, CancellationToken.None);
        return outputs[0].Span[0];
    }

    private Tensor[] RentOutputs(ModelSignature signature) => signature.TryResolveOutputShapes(_inputs.Ordered, out var shapes)
        ? Array.ConvertAll(shapes, shape => Tensor.Rent(shape))
        : throw new InvalidOperationException($"the outputs of {Case} cannot be sized from its inputs");

    /// <summary>A run that allocates its outputs: rented, read, and returned to the pool.</summary>
    private float RunAndRelease(IModelBackend backend)
    {
        var outputs = backend.Run(_inputs.Ordered, CancellationToken.None);
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
