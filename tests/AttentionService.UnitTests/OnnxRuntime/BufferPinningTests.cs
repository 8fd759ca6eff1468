using AttentionService.Backends.OnnxRuntime;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Tests.DestinationRuns;
using AttentionService.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AttentionService.Tests.OnnxRuntime;

/// <summary>
/// ONNX Runtime reads and writes the caller's buffers in place, pinned only while a run uses them: an idle backend
/// holds no caller buffer, and a run over other buffers (or the same buffers elsewhere) rebinds and gives their numbers.
/// </summary>
public sealed class BufferPinningTests
{
    [Fact]
    public void AnIdleBackendKeepsNoCallerBufferAlive()
    {
        var model = DestinationBackends.Model("luong-dot");
        using var backend = new OnnxRuntimeBackendFactory(new OnnxRuntimeSettings { IntraOpNumThreads = 1 },
            NullLogger<OnnxRuntimeBackendFactory>.Instance).Create(model);

        var buffers = RunOnFreshBuffers(backend, model.Signature);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        Assert.All(buffers, buffer => Assert.False(buffer.IsAlive, "a buffer of the finished run is still reachable (pinned)"));
    }

    [Fact]
    public void RunsOverAlternatingBuffersGiveEachBuffersNumbers()
    {
        var model = DestinationBackends.Model("luong-dot");
        using var backend = new OnnxRuntimeBackendFactory(new OnnxRuntimeSettings { IntraOpNumThreads = 1 },
            NullLogger<OnnxRuntimeBackendFactory>.Instance).Create(model);
        var first = ModelInputs.Create(model.Signature, 1, 2, 5, 8, seed: 1);
        var second = ModelInputs.Create(model.Signature, 1, 2, 5, 8, seed: 2);
        try
        {
            using var expectedFirst = backend.RunRented(first.Views(), CancellationToken.None);
            using var expectedSecond = backend.RunRented(second.Views(), CancellationToken.None);
            var outputs = ModelInputs.RentOutputs(model.Signature, first);
            for (var round = 0; round < 3; round++)
            {
                backend.Run(first.Views(), outputs.Views(), CancellationToken.None);
                Assert.Equal(expectedFirst.Float(1).Span.ToArray(), outputs[1].Span.ToArray());
                backend.Run(second.Views(), outputs.Views(), CancellationToken.None);
                Assert.Equal(expectedSecond.Float(1).Span.ToArray(), outputs[1].Span.ToArray());
            }
            ModelInputs.DisposeAll(outputs);
        }
        finally
        {
            ModelInputs.DisposeAll([.. first, .. second]);
        }
    }

    /// <summary>Runs once over buffers allocated here (not pooled) and returns weak references to them.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference[] RunOnFreshBuffers(IModelBackend backend, Core.Models.ModelSignature signature)
    {
        var pooled = ModelInputs.Create(signature, 1, 2, 5, 8, seed: 3);
        var inputs = pooled.Select(t => Tensor.Wrap(t.Span.ToArray(), t.Shape)).ToArray();
        ModelInputs.DisposeAll(pooled);
        var outputs = ModelInputs.ResolveShapes(signature, inputs).Select(shape => Tensor.Wrap(new float[Tensor.ElementCount(shape)], shape)).ToArray();
        var views = inputs.Views();
        backend.Run(views, outputs.Views(), CancellationToken.None);
        return [.. views.Concat(outputs.Views()).Select(v => new WeakReference(ArrayOf(v)))];
    }

    private static float[] ArrayOf(TensorView view)
    {
        var span = view.As<float>();
        return System.Runtime.InteropServices.MemoryMarshal.TryGetArray<float>(span.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException();
    }
}
