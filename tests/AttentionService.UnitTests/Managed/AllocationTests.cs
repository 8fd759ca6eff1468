using AttentionService.Tests.Support;
using AttentionService.Core.Backends;
using AttentionService.Backends.Managed;
using AttentionService.Core.Tensors;

namespace AttentionService.Tests.Managed;

/// <summary>
/// What a warmed-up allocating run allocates on its thread (Run is synchronous, so the current thread's counter sees
/// all of it). What remains is the caller's: the output array and each output Tensor<float> with its shape array;
/// intermediates live in a reused workspace and every float buffer comes from a pool, so the bytes do not grow with
/// the shape. (Runs into caller-owned outputs allocate nothing: DestinationRuns.ZeroAllocationTests.)
/// </summary>
public class AllocationTests
{
    [Fact]
    public void SteadyStateRunAllocatesNoBuffersWhateverTheShape()
    {
        using var backend = ManagedModels.Load("luong-dot");
        var decoderStep = BytesPerRun(backend, batch: 1, tq: 1, tv: 32, d: 64);
        var block = BytesPerRun(backend, batch: 2, tq: 48, tv: 96, d: 64);
        Assert.Equal(decoderStep, block);
        // Outputs (array, 2 Tensors, 2 shapes): well under 512 bytes.
        Assert.True(decoderStep < 512, $"a run allocates {decoderStep} bytes");
    }

    /// <summary>The least a run allocated, over rounds after warm-up (another test renting from the shared pool at the same moment can cost one array).</summary>
    private static long BytesPerRun(ManagedBackend backend, int batch, int tq, int tv, int d)
    {
        using var query = Tensor.Wrap(ScalarReference.Random(1, batch * tq * d), batch, tq, d);
        using var keys = Tensor.Wrap(ScalarReference.Random(2, batch * tv * d), batch, tv, d);
        using var values = Tensor.Wrap(ScalarReference.Random(3, batch * tv * d), batch, tv, d);
        using var mask = Tensor.Wrap(Enumerable.Repeat(1f, batch * tq * tv).ToArray(), batch, tq, tv);
        Tensor<float>[] inputs = [query, keys, values, mask];
        for (var i = 0; i < 20; i++) Run();
        var least = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10; i++) Run();
            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / 10);
        }
        return least;

        void Run()
        {
            foreach (var output in backend.RunRented(inputs.Views(), CancellationToken.None)) output.Dispose();
        }
    }
}
