using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;

namespace AttentionService.Core.Tensors;

/// <summary>
/// The pool tensors, request bodies and kernels' scratch rent from. Arrays up to <see cref="TensorPools.LargeBytes"/>
/// come from <see cref="ArrayPool{T}.Shared"/>. Larger ones are pooled here by power-of-two length, keeping at most
/// <see cref="TensorPools.MaxRetainedBytes"/> of idle arrays in all (an array returned past that is left to the garbage
/// collector), and <see cref="TensorPools.Trim"/> drops them all: so idle pooled memory is bounded while the service
/// runs, and what a burst of large requests rented is given back once the service is idle.
/// </summary>
public sealed class TensorPool<T> : ArrayPool<T>
{
    private static readonly int ElementSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>The longest array (a power of two) that <see cref="ArrayPool{T}.Shared"/> serves.</summary>
    private static readonly int LargeLength = Math.Max(1, TensorPools.LargeBytes / ElementSize);

    /// <summary>Idle arrays by log2 of their length.</summary>
    private readonly ConcurrentStack<T[]>[] _idle = Enumerable.Range(0, 32).Select(_ => new ConcurrentStack<T[]>()).ToArray();

    public static new TensorPool<T> Shared { get; } = new();

    private TensorPool() => TensorPools.Register(Trim);

    public override T[] Rent(int minimumLength)
    {
        if (minimumLength <= LargeLength) return ArrayPool<T>.Shared.Rent(minimumLength);
        if (minimumLength > 1 << 30) return GC.AllocateUninitializedArray<T>(minimumLength);
        var length = (int)BitOperations.RoundUpToPowerOf2((uint)minimumLength);
        if (_idle[BitOperations.Log2((uint)length)].TryPop(out var idle))
        {
            TensorPools.Released((long)idle.Length * ElementSize);
            return idle;
        }
        return GC.AllocateUninitializedArray<T>(length);
    }

    public override void Return(T[] array, bool clearArray = false)
    {
        // Every array the shared pool hands out for a length up to LargeLength is at most LargeLength long (both are
        // powers of two), and every one this pool hands out is longer, so the length says where it came from.
        if (array.Length <= LargeLength)
        {
            ArrayPool<T>.Shared.Return(array, clearArray);
            return;
        }
        if (!BitOperations.IsPow2(array.Length) || !TensorPools.TryRetain((long)array.Length * ElementSize)) return;
        if (clearArray) Array.Clear(array);
        _idle[BitOperations.Log2((uint)array.Length)].Push(array);
    }

    /// <summary>Drops the idle large arrays.</summary>
    private void Trim()
    {
        foreach (var stack in _idle)
            while (stack.TryPop(out var array))
                TensorPools.Released((long)array.Length * ElementSize);
    }
}

/// <summary>The <see cref="TensorPool{T}"/>s of every element type in use, and the bound on what they keep idle.</summary>
public static class TensorPools
{
    /// <summary>Arrays longer than this many bytes are pooled apart from <see cref="ArrayPool{T}.Shared"/>, bounded and trimmed.</summary>
    public const int LargeBytes = 1024 * 1024;

    private static readonly List<Action> Trims = [];
    private static long _retained;

    /// <summary>Most bytes of idle large arrays kept at once, in all pools; the host sets it from its memory budget.</summary>
    public static long MaxRetainedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Bytes of idle large arrays kept now.</summary>
    public static long RetainedBytes => Interlocked.Read(ref _retained);

    internal static void Register(Action trim)
    {
        lock (Trims) Trims.Add(trim);
    }

    internal static bool TryRetain(long bytes)
    {
        var retained = Interlocked.Add(ref _retained, bytes);
        if (retained <= MaxRetainedBytes) return true;
        Interlocked.Add(ref _retained, -bytes);
        return false;
    }

    internal static void Released(long bytes) => Interlocked.Add(ref _retained, -bytes);

    /// <summary>Drops every idle large array, of every element type.</summary>
    public static void Trim()
    {
        Action[] trims;
        lock (Trims) trims = [.. Trims];
        foreach (var trim in trims) trim();
    }
}
