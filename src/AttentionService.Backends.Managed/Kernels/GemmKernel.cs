using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Row-major matrix multiply <c>C[m,n] = A[m,k] · B[k,n]</c>, or <c>A · Bᵀ</c> with B stored as <c>[n,k]</c>.
/// Register-tiled: a 4-row by 2-vector block of C stays in registers while k streams by, each A element broadcast
/// once per block and each B row segment loaded once per block.
/// </summary>
public static class GemmKernel
{
    private const int RowBlock = 4;

    /// <summary><c>c = a · b</c> with <paramref name="a"/> <c>[m,k]</c>, <paramref name="b"/> <c>[k,n]</c>, <paramref name="c"/> <c>[m,n]</c>.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        Validate(a.Length, b.Length, c.Length, m, k, n, "b has k*n");
        if (m == 0 || n == 0) return;
        var work = (long)m * k * n;
        if (work >= VectorDispatch.WideWork && m >= PackedGemm.TileRows) Packed(a, b, c, m, k, n, work, bTransposed: false);
        // Wide work reaches here only with fewer rows than a tile: B streams past at most five A rows, so memory, not arithmetic, is the limit.
        else VectorDispatch.Run(new MultiplyBody(a, b, c, m, k, n), work, n, computeBound: false);
    }

    /// <summary><c>c = a · bᵀ</c> with <paramref name="a"/> <c>[m,k]</c>, <paramref name="b"/> <c>[n,k]</c>, <paramref name="c"/> <c>[m,n]</c>.</summary>
    public static void MultiplyTransposed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        Validate(a.Length, b.Length, c.Length, m, k, n, "b has n*k");
        if (m == 0 || n == 0) return;
        var work = (long)m * k * n;
        if (work >= VectorDispatch.WideWork && m >= PackedGemm.TileRows) Packed(a, b, c, m, k, n, work, bTransposed: true);
        // Vectors run along k, the dot products' length.
        else VectorDispatch.Run(new MultiplyTransposedBody(a, b, c, m, k, n), work, k, computeBound: false);
    }

    /// <summary>
    /// The cache-blocked multiply, compute-bound. Its register tile is two vectors of C columns, zero-padded: at n equal
    /// to one vector's lanes the tile is half padding, the work of the next narrower width's full tile at a lower clock,
    /// so a width needs more columns than one of its vectors (hence n - 1 as the length).
    /// </summary>
    private static void Packed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, long work, bool bTransposed) =>
        VectorDispatch.Run(new PackedBody(a, b, c, m, k, n, bTransposed), work, n - 1, computeBound: true);

    internal readonly ref struct MultiplyBody(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n) : IVectorBody
    {
        private readonly ReadOnlySpan<float> _a = a;
        private readonly ReadOnlySpan<float> _b = b;
        private readonly Span<float> _c = c;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            Multiply<TSimd, TVector>(_a, _b, _c, m, k, n);
    }

    internal readonly ref struct MultiplyTransposedBody(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n) : IVectorBody
    {
        private readonly ReadOnlySpan<float> _a = a;
        private readonly ReadOnlySpan<float> _b = b;
        private readonly Span<float> _c = c;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            MultiplyTransposed<TSimd, TVector>(_a, _b, _c, m, k, n);
    }

    private readonly ref struct PackedBody(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool bTransposed) : IVectorBody
    {
        private readonly ReadOnlySpan<float> _a = a;
        private readonly ReadOnlySpan<float> _b = b;
        private readonly Span<float> _c = c;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            PackedGemm.Multiply<TSimd, TVector>(_a, _b, _c, m, k, n, bTransposed);
    }

    private static void Validate(int aLength, int bLength, int cLength, int m, int k, int n, string bLayout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (aLength != (long)m * k)
            throw new ArgumentException($"a has {aLength} elements, m*k = {m}*{k} = {(long)m * k}", "a");
        if (bLength != (long)k * n)
            throw new ArgumentException($"b has {bLength} elements, {bLayout} = {(long)k * n}", "b");
        if (cLength != (long)m * n)
            throw new ArgumentException($"c has {cLength} elements, m*n = {m}*{n} = {(long)m * n}", "c");
    }

    /// <summary>Column tiles of 2 vectors, then 1; a last partial tile is recomputed overlapping its left neighbour (narrower than one vector: scalar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply<TSimd, TVector>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        if (n < TSimd.Count)
        {
            Multiply<SimdScalar, float>(a, b, c, m, k, n);
            return;
        }
        ref var a0 = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        ref var c0 = ref MemoryMarshal.GetReference(c);
        var width = TSimd.Count;
        var i = 0;
        for (; i + RowBlock <= m; i += RowBlock)
        {
            ref var aRows = ref FloatRef.At(ref a0, i * k);
            ref var cRows = ref FloatRef.At(ref c0, i * n);
            var j = 0;
            for (; j + 2 * width <= n; j += 2 * width)
                Block4x2<TSimd, TVector>(ref aRows, ref FloatRef.At(ref b0, j), ref FloatRef.At(ref cRows, j), k, n);
            for (; j + width <= n; j += width)
                Block4x1<TSimd, TVector>(ref aRows, ref FloatRef.At(ref b0, j), ref FloatRef.At(ref cRows, j), k, n);
            if (j < n)
                Block4x1<TSimd, TVector>(ref aRows, ref FloatRef.At(ref b0, n - width), ref FloatRef.At(ref cRows, n - width), k, n);
        }
        for (; i < m; i++)
        {
            ref var aRow = ref FloatRef.At(ref a0, i * k);
            ref var cRow = ref FloatRef.At(ref c0, i * n);
            var j = 0;
            for (; j + 2 * width <= n; j += 2 * width)
                Block1x2<TSimd, TVector>(ref aRow, ref FloatRef.At(ref b0, j), ref FloatRef.At(ref cRow, j), k, n);
            for (; j + width <= n; j += width)
                Block1x1<TSimd, TVector>(ref aRow, ref FloatRef.At(ref b0, j), ref FloatRef.At(ref cRow, j), k, n);
            if (j < n)
                Block1x1<TSimd, TVector>(ref aRow, ref FloatRef.At(ref b0, n - width), ref FloatRef.At(ref cRow, n - width), k, n);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4x2<TSimd, TVector>(ref float a, ref float b, ref float c, int k, int n)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var width = TSimd.Count;
        TVector c00 = TSimd.Zero, c01 = TSimd.Zero, c10 = TSimd.Zero, c11 = TSimd.Zero;
        TVector c20 = TSimd.Zero, c21 = TSimd.Zero, c30 = TSimd.Zero, c31 = TSimd.Zero;
        for (var p = 0; p < k; p++)
        {
            ref var bRow = ref FloatRef.At(ref b, p * n);
            var b0 = TSimd.Load(ref bRow);
            var b1 = TSimd.Load(ref FloatRef.At(ref bRow, width));
            var a0 = TSimd.Broadcast(FloatRef.At(ref a, p));
            c00 = TSimd.MultiplyAdd(a0, b0, c00);
            c01 = TSimd.MultiplyAdd(a0, b1, c01);
            var a1 = TSimd.Broadcast(FloatRef.At(ref a, k + p));
            c10 = TSimd.MultiplyAdd(a1, b0, c10);
            c11 = TSimd.MultiplyAdd(a1, b1, c11);
            var a2 = TSimd.Broadcast(FloatRef.At(ref a, 2 * k + p));
            c20 = TSimd.MultiplyAdd(a2, b0, c20);
            c21 = TSimd.MultiplyAdd(a2, b1, c21);
            var a3 = TSimd.Broadcast(FloatRef.At(ref a, 3 * k + p));
            c30 = TSimd.MultiplyAdd(a3, b0, c30);
            c31 = TSimd.MultiplyAdd(a3, b1, c31);
        }
        TSimd.Store(c00, ref c);
        TSimd.Store(c01, ref FloatRef.At(ref c, width));
        TSimd.Store(c10, ref FloatRef.At(ref c, n));
        TSimd.Store(c11, ref FloatRef.At(ref c, n + width));
        TSimd.Store(c20, ref FloatRef.At(ref c, 2 * n));
        TSimd.Store(c21, ref FloatRef.At(ref c, 2 * n + width));
        TSimd.Store(c30, ref FloatRef.At(ref c, 3 * n));
        TSimd.Store(c31, ref FloatRef.At(ref c, 3 * n + width));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4x1<TSimd, TVector>(ref float a, ref float b, ref float c, int k, int n)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        TVector c0 = TSimd.Zero, c1 = TSimd.Zero, c2 = TSimd.Zero, c3 = TSimd.Zero;
        for (var p = 0; p < k; p++)
        {
            var bp = TSimd.Load(ref FloatRef.At(ref b, p * n));
            c0 = TSimd.MultiplyAdd(TSimd.Broadcast(FloatRef.At(ref a, p)), bp, c0);
            c1 = TSimd.MultiplyAdd(TSimd.Broadcast(FloatRef.At(ref a, k + p)), bp, c1);
            c2 = TSimd.MultiplyAdd(TSimd.Broadcast(FloatRef.At(ref a, 2 * k + p)), bp, c2);
            c3 = TSimd.MultiplyAdd(TSimd.Broadcast(FloatRef.At(ref a, 3 * k + p)), bp, c3);
        }
        TSimd.Store(c0, ref c);
        TSimd.Store(c1, ref FloatRef.At(ref c, n));
        TSimd.Store(c2, ref FloatRef.At(ref c, 2 * n));
        TSimd.Store(c3, ref FloatRef.At(ref c, 3 * n));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1x2<TSimd, TVector>(ref float a, ref float b, ref float c, int k, int n)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var width = TSimd.Count;
        TVector c0 = TSimd.Zero, c1 = TSimd.Zero;
        for (var p = 0; p < k; p++)
        {
            ref var bRow = ref FloatRef.At(ref b, p * n);
            var ap = TSimd.Broadcast(FloatRef.At(ref a, p));
            c0 = TSimd.MultiplyAdd(ap, TSimd.Load(ref bRow), c0);
            c1 = TSimd.MultiplyAdd(ap, TSimd.Load(ref FloatRef.At(ref bRow, width)), c1);
        }
        TSimd.Store(c0, ref c);
        TSimd.Store(c1, ref FloatRef.At(ref c, width));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1x1<TSimd, TVector>(ref float a, ref float b, ref float c, int k, int n)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var c0 = TSimd.Zero;
        for (var p = 0; p < k; p++)
            c0 = TSimd.MultiplyAdd(TSimd.Broadcast(FloatRef.At(ref a, p)), TSimd.Load(ref FloatRef.At(ref b, p * n)), c0);
        TSimd.Store(c0, ref c);
    }

    /// <summary>
    /// Dot products along k (contiguous in both A and B rows): a 4×4 block of C keeps 16 vector accumulators, then
    /// reduces each across lanes; the k remainder is added in scalar. Needs k ≥ Count to be worth the vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MultiplyTransposed<TSimd, TVector>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        ref var a0 = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        ref var c0 = ref MemoryMarshal.GetReference(c);
        var vectorK = k - k % TSimd.Count;
        var i = 0;
        for (; i + RowBlock <= m; i += RowBlock)
        {
            var j = 0;
            for (; j + RowBlock <= n; j += RowBlock)
                Dot4x4<TSimd, TVector>(ref FloatRef.At(ref a0, i * k), ref FloatRef.At(ref b0, j * k), ref FloatRef.At(ref c0, i * n + j), k, n, vectorK);
            for (; j < n; j++)
                for (var r = 0; r < RowBlock; r++)
                    FloatRef.At(ref c0, (i + r) * n + j) = Dot<TSimd, TVector>(ref FloatRef.At(ref a0, (i + r) * k), ref FloatRef.At(ref b0, j * k), k, vectorK);
        }
        for (; i < m; i++)
            for (var j = 0; j < n; j++)
                FloatRef.At(ref c0, i * n + j) = Dot<TSimd, TVector>(ref FloatRef.At(ref a0, i * k), ref FloatRef.At(ref b0, j * k), k, vectorK);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot4x4<TSimd, TVector>(ref float a, ref float b, ref float c, int k, int n, int vectorK)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        TVector s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero;
        TVector s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero, s23 = TSimd.Zero;
        TVector s30 = TSimd.Zero, s31 = TSimd.Zero, s32 = TSimd.Zero, s33 = TSimd.Zero;
        for (var p = 0; p < vectorK; p += TSimd.Count)
        {
            var b0 = TSimd.Load(ref FloatRef.At(ref b, p));
            var b1 = TSimd.Load(ref FloatRef.At(ref b, k + p));
            var b2 = TSimd.Load(ref FloatRef.At(ref b, 2 * k + p));
            var b3 = TSimd.Load(ref FloatRef.At(ref b, 3 * k + p));
            var a0 = TSimd.Load(ref FloatRef.At(ref a, p));
            s00 = TSimd.MultiplyAdd(a0, b0, s00); s01 = TSimd.MultiplyAdd(a0, b1, s01);
            s02 = TSimd.MultiplyAdd(a0, b2, s02); s03 = TSimd.MultiplyAdd(a0, b3, s03);
            var a1 = TSimd.Load(ref FloatRef.At(ref a, k + p));
            s10 = TSimd.MultiplyAdd(a1, b0, s10); s11 = TSimd.MultiplyAdd(a1, b1, s11);
            s12 = TSimd.MultiplyAdd(a1, b2, s12); s13 = TSimd.MultiplyAdd(a1, b3, s13);
            var a2 = TSimd.Load(ref FloatRef.At(ref a, 2 * k + p));
            s20 = TSimd.MultiplyAdd(a2, b0, s20); s21 = TSimd.MultiplyAdd(a2, b1, s21);
            s22 = TSimd.MultiplyAdd(a2, b2, s22); s23 = TSimd.MultiplyAdd(a2, b3, s23);
            var a3 = TSimd.Load(ref FloatRef.At(ref a, 3 * k + p));
            s30 = TSimd.MultiplyAdd(a3, b0, s30); s31 = TSimd.MultiplyAdd(a3, b1, s31);
            s32 = TSimd.MultiplyAdd(a3, b2, s32); s33 = TSimd.MultiplyAdd(a3, b3, s33);
        }
        StoreRow<TSimd, TVector>(ref a, ref b, ref c, k, vectorK, s00, s01, s02, s03);
        StoreRow<TSimd, TVector>(ref FloatRef.At(ref a, k), ref b, ref FloatRef.At(ref c, n), k, vectorK, s10, s11, s12, s13);
        StoreRow<TSimd, TVector>(ref FloatRef.At(ref a, 2 * k), ref b, ref FloatRef.At(ref c, 2 * n), k, vectorK, s20, s21, s22, s23);
        StoreRow<TSimd, TVector>(ref FloatRef.At(ref a, 3 * k), ref b, ref FloatRef.At(ref c, 3 * n), k, vectorK, s30, s31, s32, s33);
    }

    /// <summary>Reduces one A row's four accumulators, adds the scalar k remainder, and writes four C entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TSimd, TVector>(ref float aRow, ref float b, ref float c, int k, int vectorK,
        TVector s0, TVector s1, TVector s2, TVector s3)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        float t0 = TSimd.Sum(s0), t1 = TSimd.Sum(s1), t2 = TSimd.Sum(s2), t3 = TSimd.Sum(s3);
        for (var p = vectorK; p < k; p++)
        {
            var ap = FloatRef.At(ref aRow, p);
            t0 += ap * FloatRef.At(ref b, p);
            t1 += ap * FloatRef.At(ref b, k + p);
            t2 += ap * FloatRef.At(ref b, 2 * k + p);
            t3 += ap * FloatRef.At(ref b, 3 * k + p);
        }
        c = t0;
        FloatRef.At(ref c, 1) = t1;
        FloatRef.At(ref c, 2) = t2;
        FloatRef.At(ref c, 3) = t3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot<TSimd, TVector>(ref float a, ref float b, int k, int vectorK)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var sum = TSimd.Zero;
        for (var p = 0; p < vectorK; p += TSimd.Count)
            sum = TSimd.MultiplyAdd(TSimd.Load(ref FloatRef.At(ref a, p)), TSimd.Load(ref FloatRef.At(ref b, p)), sum);
        var total = TSimd.Sum(sum);
        for (var p = vectorK; p < k; p++)
            total += FloatRef.At(ref a, p) * FloatRef.At(ref b, p);
        return total;
    }
}
