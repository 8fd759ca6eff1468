using AttentionService.Tests.Support;
using AttentionService.Core.Backends;
using AttentionService.Backends.Managed;
using AttentionService.Core.Tensors;

namespace AttentionService.Tests.Managed;

/// <summary>
/// What a warmed-up run allocates on its thread (Run is synchronous, so the current thread's counter sees all of it).
/// Intermediates live in a reused workspace and every buffer comes from a pool, so a run into the same outputs
/// allocates nothing, and a run renting fresh outputs allocates only the small objects the caller keeps (the
/// <see cref="RentedOutputs"/> and each output tensor with its shape), the same bytes whatever the shape.
/// (Runs into caller-sized outputs: DestinationRuns.ZeroAllocationTests.)
/// </summary>
public class AllocationTests
{
    [Fact]
    public void SteadyStateRunIntoTheSameRentedOutputsAllocatesNothingWhateverTheShape()
    {
        using var backend = ManagedModels.Load("luong-dot");
        Assert.Equal(0, BytesPerRun(backend, batch: 1, tq: 1, tv: 32, d: 64, reuseOutputs: true));
        Assert.Equal(0, BytesPerRun(backend, batch: 2, tq: 48, tv: 96, d: 64, reuseOutputs: true));
    }

    [Fact]
    public void SteadyStateRunRentingItsOutputsAllocatesNoBuffersWhateverTheShape()
    {
        using var backend = ManagedModels.Load("luong-dot");
        var decoderStep = BytesPerRun(backend, batch: 1, tq: 1, tv: 32, d: 64, reuseOutputs: false);
        var block = BytesPerRun(backend, batch: 2, tq: 48, tv: 96, d: 64, reuseOutputs: false);
        Assert.Equal(decoderStep, block);
        // RentedOutputs (object, 2 arrays), 2 Tensors, 2 shapes: well under 512 bytes.
        Assert.True(decoderStep < 512, $"a run allocates {decoderStep} bytes");
    }

    /// <summary>
    /// The least a run allocated, over rounds after warm-up (another test renting from the shared pool at the same
    /// moment can cost one array). With <paramref name="reuseOutputs"/>, every run writes into one
    /// <see cref="RentedOutputs"/> made before the measured loop; without, each run rents and returns its own.
    /// </summary>
    private static long BytesPerRun(ManagedBackend backend, int batch, int tq, int tv, int d, bool reuseOutputs)
    {
        using var query = Tensor.Wrap(ScalarReference.Random(1, batch * tq * d), batch, tq, d);
        using var keys = Tensor.Wrap(ScalarReference.Random(2, batch * tv * d), batch, tv, d);
        using var values = Tensor.Wrap(ScalarReference.Random(3, batch * tv * d), batch, tv, d);
        using var mask = Tensor.Wrap(Enumerable.Repeat(1f, batch * tq * tv).ToArray(), batch, tq, tv);
        var inputs = new[] { query, keys, values, mask }.Views();
        using var reused = new RentedOutputs(backend.Signature.Outputs.Count);
        for (var i = 0; i < 20; i++) Run();
        var least = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10; i++) Run();
            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / 10);
        }
        // The reused outputs were really written at this shape (the context is [batch, tq, dv]).
        if (reuseOutputs) Assert.Equal([batch, tq, d], reused[0].Shape);
        return least;

        void Run()
        {
            if (reuseOutputs) backend.Run(inputs, reused, CancellationToken.None);
            else backend.RunRented(inputs, CancellationToken.None).Dispose();
        }
    }
}
