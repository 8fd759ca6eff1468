using AttentionService.Configuration;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>
/// The bytes all requests may hold at once (<see cref="MemoryBudgetSize"/>), and what they hold now. A run's footprint
/// is admitted when it fits now; when it fits the budget but not now it waits, oldest first, with at most
/// <c>Attention:Concurrency:QueueLength</c> waiting; more waiting, or more than the whole budget, is refused. Bodies
/// being uploaded reserve without waiting: a body that does not fit now, beside what the oldest waiting run needs, is
/// refused at once.
/// </summary>
public sealed class MemoryBudget
{
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _reserved;
    /// <summary>Bytes the requests in line already hold while they wait.</summary>
    private long _heldByWaiters;
    private long _peakSinceTrim;
    private long _lastChange = System.Diagnostics.Stopwatch.GetTimestamp();

    private readonly AttentionMetrics _metrics;

    /// <summary>Idle large pooled arrays may take this fraction (1/n) of the budget's size beside it.</summary>
    public const int RetainedShare = 4;

    public MemoryBudget(IOptions<AttentionOptions> options, AttentionMetrics metrics)
    {
        (Capacity, Derived, Available) = MemoryBudgetSize.Of(options.Value.Memory);
        QueueLength = options.Value.Concurrency.QueueLength;
        _metrics = metrics;
        metrics.MemoryBudget(Capacity);
        // Idle pooled arrays are outside every reservation: bound them to a share of the budget.
        Core.Tensors.TensorPools.MaxRetainedBytes = Capacity / RetainedShare;
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
    /// Takes <paramref name="bytes"/> when they fit now beside what the oldest waiting run needs (an upload's next part),
    /// else false: a body is needed before its request can even join the line, so it does not wait.
    /// </summary>
    public bool TryReserve(long bytes)
    {
        lock (_lock)
        {
            // An upload may not take the room the oldest waiting run needs, or a stream of uploads could starve it.
            var head = _waiters.First?.Value.Bytes ?? 0;
            if (_reserved + bytes + head > Capacity) return false;
            Take(bytes);
            return true;
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> now, or waits in line for them; <see cref="Admission.QueueFull"/> when the line is
    /// full, <see cref="Admission.NeverFits"/> when they are more than the whole budget. Cancelling the token leaves
    /// the line (the wait throws <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <remarks>
    /// A waiting request already holds <paramref name="held"/> bytes (its parsed body), which it keeps while it waits.
    /// So that the line can always move once the requests not in it are done, a request joins only while what the
    /// waiting requests hold, plus the most any of them waits for, fits the budget; otherwise it is refused
    /// (<see cref="Admission.QueueFull"/>) and gives back what it holds.
    /// </remarks>
    public async ValueTask<Admission> ReserveAsync(long bytes, long held, CancellationToken cancellationToken)
    {
        if (held + bytes > Capacity) return Admission.NeverFits;
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
            var most = bytes;
            foreach (var waiting in _waiters) most = Math.Max(most, waiting.Bytes);
            if (_heldByWaiters + held + most > Capacity) return Admission.QueueFull;
            waiter = new Waiter(bytes, held);
            node = _waiters.AddLast(waiter);
            _heldByWaiters += held;
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
            _heldByWaiters -= head.Value.Held;
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
            _heldByWaiters -= node.Value.Held;
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

    private sealed class Waiter(long bytes, long held)
    {
        public long Bytes { get; } = bytes;

        public long Held { get; } = held;

        public TaskCompletionSource<Admission> Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
