using AttentionService.Configuration;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>
/// The bytes all requests may hold at once (<see cref="MemoryBudgetSize"/>), and what they hold now. A run's footprint
/// is admitted when it fits now; when it fits the budget but not now it waits, oldest first, with at most
/// <c>Attention:Concurrency:QueueLength</c> waiting; more waiting, or more than the whole budget, is refused. Bodies
/// being uploaded reserve without waiting: a body the budget cannot take now is refused at once.
/// </summary>
public sealed class MemoryBudget
{
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _reserved;
    private long _peakSinceTrim;
    private long _lastChange = System.Diagnostics.Stopwatch.GetTimestamp();

    private readonly AttentionMetrics _metrics;

    public MemoryBudget(IOptions<AttentionOptions> options, AttentionMetrics metrics)
    {
        (Capacity, Derived, Available) = MemoryBudgetSize.Of(options.Value.Memory);
        QueueLength = options.Value.Concurrency.QueueLength;
        _metrics = metrics;
        metrics.MemoryBudget(Capacity);
        metrics.MemoryReserved(0);
    }

    /// <summary>Bytes all requests may hold at once.</summary>
    public long Capacity { get; }

    /// <summary>Whether <see cref="Capacity"/> was derived from <see cref="Available"/> (BudgetBytes = 0).</summary>
    public bool Derived { get; }

    /// <summary>The memory the runtime sees (a container's limit when there is one).</summary>
    public long Available { get; }

    /// <summary>Requests that may wait for room at once.</summary>
    public int QueueLength { get; }

    /// <summary>Bytes reserved now.</summary>
    public long Reserved => Interlocked.Read(ref _reserved);

    /// <summary>
    /// Takes <paramref name="bytes"/> when they fit now (an upload's next part), else false. Uploads do not queue behind
    /// waiting runs: a body is small beside a run and is needed before the request can even join the line.
    /// </summary>
    public bool TryReserve(long bytes)
    {
        lock (_lock)
        {
            if (_reserved + bytes > Capacity) return false;
            Take(bytes);
            return true;
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> now, or waits in line for them; <see cref="Admission.QueueFull"/> when the line is
    /// full, <see cref="Admission.NeverFits"/> when they are more than the whole budget. Cancelling the token leaves
    /// the line (the wait throws <see cref="OperationCanceledException"/>).
    /// </summary>
    public async ValueTask<Admission> ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        if (bytes > Capacity) return Admission.NeverFits;
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _reserved + bytes <= Capacity)
            {
                Take(bytes);
                return Admission.Admitted;
            }
            if (_waiters.Count >= QueueLength) return Admission.QueueFull;
            waiter = new Waiter(bytes);
            node = _waiters.AddLast(waiter);
        }
        await using (cancellationToken.Register(static state =>
                     {
                         var (budget, waiting) = ((MemoryBudget, LinkedListNode<Waiter>))state!;
                         budget.Abandon(waiting);
                     }, (this, node)))
        {
            return await waiter.Admitted.Task;
        }
    }

    /// <summary>Gives back <paramref name="bytes"/> and admits the waiters at the head of the line that now fit.</summary>
    public void Release(long bytes)
    {
        if (bytes <= 0) return;
        List<Waiter>? admitted = null;
        lock (_lock)
        {
            _reserved -= bytes;
            _lastChange = System.Diagnostics.Stopwatch.GetTimestamp();
            AdmitWaiting(ref admitted);
            _metrics.MemoryReserved(_reserved);
        }
        foreach (var waiter in admitted ?? []) waiter.Admitted.TrySetResult(Admission.Admitted);
    }

    /// <summary>How long nothing has been reserved, or zero while something is.</summary>
    public TimeSpan IdleFor
    {
        get
        {
            lock (_lock)
                return _reserved > 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(_lastChange);
        }
    }

    /// <summary>The most bytes held at once since the last <see cref="TakePeak"/>.</summary>
    public long PeakSinceTrim
    {
        get
        {
            lock (_lock) return _peakSinceTrim;
        }
    }

    /// <summary>The most bytes held at once since the last call, which starts counting again from what is held now.</summary>
    public long TakePeak()
    {
        lock (_lock)
        {
            var peak = _peakSinceTrim;
            _peakSinceTrim = _reserved;
            return peak;
        }
    }

    private void Take(long bytes)
    {
        _reserved += bytes;
        _lastChange = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_reserved > _peakSinceTrim) _peakSinceTrim = _reserved;
        _metrics.MemoryReserved(_reserved);
    }

    private void AdmitWaiting(ref List<Waiter>? admitted)
    {
        while (_waiters.First is { } head && _reserved + head.Value.Bytes <= Capacity)
        {
            _waiters.RemoveFirst();
            Take(head.Value.Bytes);
            (admitted ??= []).Add(head.Value);
        }
    }

    private void Abandon(LinkedListNode<Waiter> node)
    {
        List<Waiter>? admitted = null;
        lock (_lock)
        {
            // Admitted already: the caller owns the bytes and releases them as usual.
            if (node.List is null) return;
            var wasHead = node == _waiters.First;
            _waiters.Remove(node);
            if (wasHead) AdmitWaiting(ref admitted);
        }
        node.Value.Admitted.TrySetCanceled();
        foreach (var waiter in admitted ?? []) waiter.Admitted.TrySetResult(Admission.Admitted);
    }

    public enum Admission
    {
        Admitted,
        QueueFull,
        NeverFits,
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource<Admission> Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
