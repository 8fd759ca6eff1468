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
/// A model as a user's exporter wrote it, on both backends side by side: <c>torch.nn.MultiheadAttention</c> (embed 64,
/// 4 heads, per-head weights) exported by <c>torch.onnx.export</c> (tests/fixtures/torch/torch-mha-e64), at batch 1,
/// 128 queries, 128 keys. ONNX Runtime runs on one intra-op thread, the managed backend on its caller's thread; both
/// write into outputs sized once, so the Ratio column is "time / ONNX Runtime's time" for the run alone.
/// </summary>
public class ExportedModelBenchmarks
{
    private IModelBackend _managed = null!;
    private IModelBackend _onnx = null!;
    private TensorView[] _inputs = null!;
    private RentedOutputs _managedOutputs = null!;
    private RentedOutputs _onnxOutputs = null!;

    [Params(128)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(ModelFiles.Folder, "..", "tests", "fixtures", "torch", "torch-mha-e64", "model.onnx");
        var model = ModelSource.Read("torch-mha-e64", path);
        var random = new Random(7);
        _inputs = model.Signature.Inputs
            .Select(_ => (TensorView)Tensor.Wrap(Enumerable.Range(0, Length * 64).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(), 1, Length, 64))
            .ToArray();
        _managed = new ManagedBackendFactory().Create(model);
        _onnx = new OnnxRuntimeBackendFactory(new OnnxRuntimeSettings { IntraOpNumThreads = 1 },
            NullLogger<OnnxRuntimeBackendFactory>.Instance).Create(model);
        // Rented once: later runs find destinations of the same shapes and reuse them.
        _managedOutputs = _managed.RunRented(_inputs, CancellationToken.None);
        _onnxOutputs = _onnx.RunRented(_inputs, CancellationToken.None);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _managedOutputs.Dispose();
        _onnxOutputs.Dispose();
        _managed.Dispose();
        _onnx.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ORT IModelBackend, 1 thread")]
    public float Onnx()
    {
        _onnx.Run(_inputs, _onnxOutputs, CancellationToken.None);
        return _onnxOutputs.Float(0).Span[0];
    }

    [Benchmark(Description = "Managed IModelBackend")]
    public float Managed()
    {
        _managed.Run(_inputs, _managedOutputs, CancellationToken.None);
        return _managedOutputs.Float(0).Span[0];
    }
}
