using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Inference;
using AttentionService.Registry;
using AttentionService.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AttentionService.Tests.Inference;

/// <summary>
/// The decode loop's steps reuse the buffers rented once per decode: a step allocates no more than one run of the
/// tensor request path (outputs rented per request) on the same decoder graph, on either backend. Runs are
/// synchronous, so the current thread's allocation counter sees everything they allocate.
/// </summary>
public sealed class DecodeAllocationTests(AttentionServiceFactory factory, ITestOutputHelper output) : IClassFixture<AttentionServiceFactory>
{
    private const int WarmUpSteps = 3;
    private const int MeasuredSteps = 10;

    [Theory]
    [InlineData(BackendKind.Managed)]
    [InlineData(BackendKind.Onnx)]
    public void ADecodeStepAllocatesNoMoreThanATensorRequestsRun(BackendKind kind)
    {
        var registry = factory.Services.GetRequiredService<ModelRegistry>();
        Assert.True(registry.TryLease("dates", out var lease));
        using var _ = lease;
        var seq2seq = lease.Model.Seq2Seq!;
        var slot = lease.Model.Slot(kind)!;
        Assert.True(seq2seq.Config.MaxSteps >= WarmUpSteps + MeasuredSteps);
        using var batch = SourceBatch.Encode(seq2seq.Vocabulary, ["24 November 2026", "Sat, Jul 4, 1987"]);
        using var session = new DecodeSession(seq2seq, slot.Encoder!, slot.Backend!, batch, CancellationToken.None);
        var steps = Measure(() => Assert.True(session.Step(CancellationToken.None)));

        using var token = Tensor.Wrap(Enumerable.Repeat((long)seq2seq.Vocabulary.StartId, batch.Batch).ToArray(), batch.Batch);
        using var query = Tensor.Rent<float>(batch.Batch, (int)seq2seq.Decoder.Inputs[seq2seq.Query].Shape[1]);
        using var values = Tensor.Rent<float>(batch.Batch, batch.Length, (int)seq2seq.Decoder.Inputs[seq2seq.Values].Shape[2]);
        query.Span.Clear();
        values.Span.Clear();
        var inputs = new TensorView[4];
        inputs[seq2seq.Token] = token;
        inputs[seq2seq.Query] = query;
        inputs[seq2seq.Values] = values;
        inputs[seq2seq.Mask] = batch.Mask;
        var runs = Measure(() => slot.Backend!.RunRented(inputs, CancellationToken.None).Dispose());

        output.WriteLine($"{kind}: {steps / MeasuredSteps} bytes a decode step, {runs / MeasuredSteps} bytes a tensor request's run");
        Assert.True(steps <= runs, $"{MeasuredSteps} decode steps on {kind} allocated {steps} bytes, {MeasuredSteps} tensor runs {runs}");
    }

    /// <summary>Bytes allocated by <see cref="MeasuredSteps"/> calls of <paramref name="run"/>, after <see cref="WarmUpSteps"/> and a compacting collection.</summary>
    private static long Measure(Action run)
    {
        for (var i = 0; i < WarmUpSteps; i++) run();
        // As ZeroAllocationTests: settle pooled buffers in the oldest generation so ONNX Runtime's binding stays valid.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredSteps; i++) run();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
