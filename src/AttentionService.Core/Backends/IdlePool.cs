namespace AttentionService.Core.Backends;

/// <summary>
/// Per-run state a backend lends to one run at a time (the managed backend's workspaces, ONNX Runtime's bindings):
/// a few idle items in a lock-free array, taken preferably where they already fit the request, given back after the
/// run. Runs beyond <c>capacity</c> at once make their own and the pool disposes what it has no room for.
/// </summary>
public sealed class IdlePool<T>(int capacity) : IDisposable where T : class, IDisposable
{
    private readonly T?[] _idle = new T?[capacity];
    private volatile bool _disposed;

    /// <summary>
    /// An idle item for which <paramref name="fits"/> held when it was looked at, else any idle item, else null. Another
    /// run may change an item between the look and the take, so the caller checks the fit again.
    /// </summary>
    public T? Take<TState>(Func<T, TState, bool> fits, TState state) where TState : allows ref struct
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            var candidate = Volatile.Read(ref _idle[i]);
            if (candidate is not null && fits(candidate, state)
                && ReferenceEquals(Interlocked.CompareExchange(ref _idle[i], null, candidate), candidate))
                return candidate;
        }
        for (var i = 0; i < _idle.Length; i++)
            if (Interlocked.Exchange(ref _idle[i], null) is { } any)
                return any;
        return null;
    }

    public void Return(T item)
    {
        if (!_disposed)
            for (var i = 0; i < _idle.Length; i++)
                if (Interlocked.CompareExchange(ref _idle[i], item, null) is null)
                {
                    // Dispose may have emptied the array just before this item went in.
                    if (_disposed && ReferenceEquals(Interlocked.CompareExchange(ref _idle[i], null, item), item))
                        item.Dispose();
                    return;
                }
        item.Dispose();
    }

    /// <summary>Disposes the idle items (runs in flight keep theirs and give them back later).</summary>
    public void Clear()
    {
        for (var i = 0; i < _idle.Length; i++)
            Interlocked.Exchange(ref _idle[i], null)?.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        for (var i = 0; i < _idle.Length; i++)
            Interlocked.Exchange(ref _idle[i], null)?.Dispose();
    }
}
