using AttentionService.Tests.Support;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;

namespace AttentionService.Tests.DestinationRuns;

/// <summary>
/// A warmed-up destination run allocates nothing, on either backend: the managed backend reuses a workspace planned
/// for the shapes, ONNX Runtime a binding over the same buffers at the same addresses. Runs are synchronous, so the
/// current thread's allocation counter sees everything they allocate.
/// </summary>
public class ZeroAllocationTests
{
    private const int WarmUpRuns = 30;
    private const int MeasuredRuns = 20;

    public static TheoryData<BackendKind, string, int, int, int, int> Cases()
    {
        var data = new TheoryData<BackendKind, string, int, int, int, int>();
        foreach (var kind in new[] { BackendKind.Managed, BackendKind.Onnx })
        {
            data.Add(kind, "luong-dot", 1, 1, 32, 64);
            data.Add(kind, "luong-dot", 8, 64, 128, 128);
            foreach (var model in DestinationBackends.BundledModels.Where(m => m != "luong-dot"))
                data.Add(kind, model, 1, 1, 32, 64);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WarmedUpDestinationRunsAllocateNothing(BackendKind kind, string name, int batch, int tq, int tv, int d)
    {
        var model = DestinationBackends.Model(name);
        using var backend = DestinationBackends.Create(kind, model);
        var inputs = ModelInputs.Create(model.Signature, batch, tq, tv, d, seed: 7);
        var outputs = ModelInputs.RentOutputs(model.Signature, inputs);
        try
        {
            var inputViews = inputs.Views();
            // One set of destinations, made once: the measured runs allocate only what the backend allocates.
            var destinations = ModelInputs.Fixed(model.Signature, outputs);
            // ONNX Runtime's binding is reused while the buffers stay at the addresses it was made for: settle them in
            // the oldest generation first, as long-lived pooled buffers are, so a young-generation collection during
            // the runs cannot move them.
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            for (var i = 0; i < WarmUpRuns; i++) backend.Run(inputViews, destinations, CancellationToken.None);

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < MeasuredRuns; i++) backend.Run(inputViews, destinations, CancellationToken.None);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.True(allocated == 0, $"{MeasuredRuns} runs of {name} at ({batch}, {tq}, {tv}, {d}) on {kind} allocated {allocated} bytes");
        }
        finally
        {
            ModelInputs.DisposeAll([.. inputs, .. outputs]);
        }
    }
}
