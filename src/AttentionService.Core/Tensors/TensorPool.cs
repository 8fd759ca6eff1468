using System.Buffers;

namespace AttentionService.Core.Tensors;

/// <summary>
/// The pool tensors, request bodies and kernels' scratch rent from. Arrays up to <see cref="TensorPools.LargeBytes"/>
/// come from <see cref="ArrayPool{T}.Shared"/>; larger ones from a pool of this process's own, which
/// <see cref="TensorPools.Trim"/> drops whole, so that the arrays a burst of large requests rented are given back to the
/// garbage collector once the service is idle, instead of staying pooled for the life of the process.
/// </summary>
public sealed class TensorPool<T> : ArrayPool<T>
{
    /// <summary>Large arrays kept per size class between trims.</summary>
    private const int LargeArraysPerSize = 16;

    /// <summary>Largest array the large pool keeps (ArrayPool's own maximum); longer ones are allocated and dropped.</summary>
    private const int MaxPooledLength = 1 << 30;

    private static readonly int LargeLength = Math.Max(1, TensorPools.LargeBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>());

    private volatile ArrayPool<T> _large = NewLargePool();

    public static new TensorPool<T> Shared { get; } = new();

    private TensorPool() => TensorPools.Register(Trim);

    public override T[] Rent(int minimumLength) =>
        minimumLength > LargeLength ? _large.Rent(minimumLength) : ArrayPool<T>.Shared.Rent(minimumLength);

    public override void Return(T[] array, bool clearArray = false)
    {
        // Every array the shared pool hands out for a length up to LargeLength is at most LargeLength long (both are
        // powers of two), and every one the large pool hands out is longer, so the length says where it came from.
        if (array.Length > LargeLength) _large.Return(array, clearArray);
        else ArrayPool<T>.Shared.Return(array, clearArray);
    }

    /// <summary>Drops the large arrays pooled so far; arrays rented now go back into the new pool.</summary>
    private void Trim() => _large = NewLargePool();

    private static ArrayPool<T> NewLargePool() => Create(MaxPooledLength, LargeArraysPerSize);
}

/// <summary>The <see cref="TensorPool{T}"/>s of every element type in use.</summary>
public static class TensorPools
{
    /// <summary>Arrays longer than this many bytes are pooled apart from <see cref="ArrayPool{T}.Shared"/> and trimmed.</summary>
    public const int LargeBytes = 1024 * 1024;

    private static readonly List<Action> Trims = [];

    internal static void Register(Action trim)
    {
        lock (Trims) Trims.Add(trim);
    }

    /// <summary>Drops every large array pooled so far, of every element type.</summary>
    public static void Trim()
    {
        Action[] trims;
        lock (Trims) trims = [.. Trims];
        foreach (var trim in trims) trim();
    }
}
