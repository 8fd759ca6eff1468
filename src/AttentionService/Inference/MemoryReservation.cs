using AttentionService.Contracts;

namespace AttentionService.Inference;

/// <summary>
/// What one request holds of the <see cref="MemoryBudget"/>: its body as it is read, then its run's footprint. Everything
/// is given back on <see cref="Dispose"/>, once the answer has been written (the response disposes it).
/// </summary>
public sealed class MemoryReservation(MemoryBudget budget) : IDisposable
{
    /// <summary>
    /// Bytes reserved per byte of body: the body as received, its contiguous copy for the parser, and the tensors
    /// parsed from it (a number takes at least two bytes of JSON, "0,", and four as a float).
    /// </summary>
    public const int BodyFactor = 4;

    private long _bytes;

    /// <summary>The most body bytes reserved for: the Content-Length, or what a chunked body sent (all of it, once read).</summary>
    public long BodyBytes { get; private set; }

    /// <summary>Bytes this request holds.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// Grows what the body holds to <see cref="BodyFactor"/> times <paramref name="bodyBytes"/> (the Content-Length up front, or what a chunked body has
    /// sent so far); an error when the budget cannot take it now (503) or ever (413).
    /// </summary>
    public InferenceError? ReserveBody(long bodyBytes)
    {
        BodyBytes = Math.Max(BodyBytes, bodyBytes);
        var needed = BodyFactor * bodyBytes;
        var more = needed - Bytes;
        if (more <= 0) return null;
        if (needed > budget.Capacity)
            return InferenceError.TooLarge(
                $"the body of {bodyBytes} bytes needs {needed} bytes to be read and parsed, more than the memory budget of {budget.Capacity} bytes (Attention:Memory:BudgetBytes)");
        if (!budget.TryReserve(more))
            return InferenceError.Overloaded(
                $"the memory budget ({budget.Capacity} bytes, Attention:Memory:BudgetBytes) is taken by requests in flight and cannot hold this body now; retry after the Retry-After delay");
        Interlocked.Add(ref _bytes, more);
        return null;
    }

    /// <summary>
    /// Once the body is parsed, what it holds is only the tensors parsed from it (<paramref name="parsedBytes"/>): the
    /// received body and its copy are given back.
    /// </summary>
    public void SettleBody(long parsedBytes)
    {
        var held = Bytes;
        if (parsedBytes >= held) return;
        Interlocked.Add(ref _bytes, parsedBytes - held);
        budget.Release(held - parsedBytes);
    }

    /// <summary>
    /// Adds a run's <paramref name="bytes"/> to what the request holds, waiting in line while the budget is taken; an
    /// error when the line is full (503) or the request could never fit (413). <paramref name="what"/> says what the
    /// bytes are, for the 413.
    /// </summary>
    public async ValueTask<InferenceError?> ReserveRunAsync(long bytes, string what, CancellationToken cancellationToken)
    {
        var total = Bytes + bytes;
        if (total > budget.Capacity)
            return InferenceError.TooLarge(
                $"the request needs {total} bytes ({what}), more than the memory budget of {budget.Capacity} bytes (Attention:Memory:BudgetBytes)");
        switch (await budget.ReserveAsync(bytes, Bytes, cancellationToken))
        {
            case MemoryBudget.Admission.Admitted:
                Interlocked.Add(ref _bytes, bytes);
                return null;
            case MemoryBudget.Admission.QueueFull:
                return InferenceError.Overloaded(
                    $"the memory budget ({budget.Capacity} bytes, Attention:Memory:BudgetBytes) is taken and {budget.QueueLength} requests wait for it (Attention:Concurrency:QueueLength); retry after the Retry-After delay");
            default:
                return InferenceError.TooLarge(
                    $"the request needs {total} bytes ({what}), more than the memory budget of {budget.Capacity} bytes (Attention:Memory:BudgetBytes)");
        }
    }

    public void Dispose() => budget.Release(Interlocked.Exchange(ref _bytes, 0));
}
