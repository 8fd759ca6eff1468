using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Cache-blocked matrix multiply (the Goto/BLIS loop nest): B is packed, a k-block at a time, into panels of
/// <c>2·Count</c> columns that stay in L1 while every row tile of A streams past; A is packed into tiles of
/// <see cref="TileRows"/> rows interleaved along k only where a row tile is partial (zero rows pad it); full row
/// tiles read A in place, six contiguous row streams, since an A block is reused by only n / (2·Count) panels and
/// copying it would cost a quarter of the multiply when n is small. A register tile of <see cref="TileRows"/> ×
/// 2 vectors of C accumulates with FMAs, so each k step is 2 vector loads and <see cref="TileRows"/> broadcasts for
/// 2·<see cref="TileRows"/> FMAs. Panels are zero-padded, so edge tiles compute in full and store only what exists.
/// B may be <c>[k,n]</c> or, transposed, <c>[n,k]</c>: packing reads either layout, the inner loop never knows.
/// </summary>
internal static class PackedGemm
{
    /// <summary>Rows of the register tile: 6 × 2 accumulators plus 2 B vectors and a broadcast fit 16 registers.</summary>
    public const int TileRows = 6;

    /// <summary>A packed B panel (k-block × tile columns) fills about 16 KB, half of L1.</summary>
    private const int PanelFloats = 4096;

    /// <summary>A packed A block (row block × k-block) fills about 128 KB of L2.</summary>
    private const int ABlockFloats = 32768;

    /// <summary>Packed B (k-block × column block) stays within about 512 KB.</summary>
    private const int BBlockFloats = 131072;

    /// <summary>The block sizes this width uses: k-block, row block, column block.</summary>
    public static (int KBlock, int RowBlock, int ColumnBlock) Blocks<TSimd, TVector>()
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var tileColumns = 2 * TSimd.Count;
        var kBlock = PanelFloats / tileColumns;
        var rowBlock = Math.Max(TileRows, ABlockFloats / kBlock / TileRows * TileRows);
        var columnBlock = Math.Max(tileColumns, BBlockFloats / kBlock / tileColumns * tileColumns);
        return (kBlock, rowBlock, columnBlock);
    }

    /// <summary>
    /// <c>c = a · b</c> (<paramref name="bTransposed"/>: <c>a · bᵀ</c> with b <c>[n,k]</c>); lengths already validated.
    /// </summary>
    public static void Multiply<TSimd, TVector>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool bTransposed)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var (kBlock, rowBlock, columnBlock) = Blocks<TSimd, TVector>();
        Multiply<TSimd, TVector>(a, b, c, m, k, n, bTransposed, kBlock, rowBlock, columnBlock);
    }

    /// <summary>The same with explicit block sizes (tests use small ones to cross every block edge).</summary>
    // Kernels (here and in GemmKernel, SoftmaxKernel, MaskedSoftmaxKernel) are compiled optimized at once: the few
    // large requests that reach a path would otherwise run it as slow unoptimized code (a 512 × 512 run took 10 ms
    // instead of 1.5 ms in a freshly started service), and PGO has little to add to intrinsics code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply<TSimd, TVector>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool bTransposed,
        int kBlock, int rowBlock, int columnBlock)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        if (k == 0)
        {
            c.Clear();
            return;
        }
        var tileColumns = 2 * TSimd.Count;
        var kc = Math.Min(kBlock, k);
        var nc = Math.Min(columnBlock, RoundUp(n, tileColumns));
        var mc = Math.Min(rowBlock, RoundUp(m, TileRows));
        var scratch = GemmScratch.Get(kc * nc + TileRows * kc);
        ref var packedB = ref MemoryMarshal.GetReference(scratch);
        ref var packedA = ref FloatRef.At(ref packedB, kc * nc);
        ref var a0 = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        ref var c0 = ref MemoryMarshal.GetReference(c);
        Span<float> edge = stackalloc float[TileRows * tileColumns];
        ref var edgeTile = ref MemoryMarshal.GetReference(edge);

        for (var jc = 0; jc < n; jc += nc)
        {
            var nb = Math.Min(nc, n - jc);
            for (var pc = 0; pc < k; pc += kc)
            {
                var kb = Math.Min(kc, k - pc);
                if (bTransposed) PackBTransposed(ref b0, k, jc, nb, pc, kb, tileColumns, ref packedB);
                else PackB<TSimd, TVector>(ref b0, n, jc, nb, pc, kb, ref packedB);
                var accumulate = pc > 0;
                for (var ic = 0; ic < m; ic += mc)
                {
                    var mb = Math.Min(mc, m - ic);
                    var fullRows = mb - mb % TileRows;
                    if (fullRows < mb) PackA(ref FloatRef.At(ref a0, (ic + fullRows) * k + pc), k, mb - fullRows, kb, ref packedA);
                    for (var jr = 0; jr < nb; jr += tileColumns)
                    {
                        ref var panel = ref FloatRef.At(ref packedB, jr * kb);
                        var columns = Math.Min(tileColumns, nb - jr);
                        ref var cPanel = ref FloatRef.At(ref c0, ic * n + jc + jr);
                        var ir = 0;
                        for (; ir < fullRows; ir += TileRows)
                            Tile<TSimd, TVector>(ref FloatRef.At(ref a0, (ic + ir) * k + pc), k, 1, ref panel, kb,
                                ref FloatRef.At(ref cPanel, ir * n), n, accumulate, TileRows, columns, ref edgeTile);
                        if (ir < mb)
                            Tile<TSimd, TVector>(ref packedA, 1, TileRows, ref panel, kb,
                                ref FloatRef.At(ref cPanel, ir * n), n, accumulate, mb - ir, columns, ref edgeTile);
                    }
                }
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>B <c>[k,n]</c> rows pc..pc+kb, columns jc..jc+nb, as panels <c>[panel][p][2·Count]</c>, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB<TSimd, TVector>(ref float b, int n, int jc, int nb, int pc, int kb, ref float packed)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var width = TSimd.Count;
        var tileColumns = 2 * width;
        for (var jr = 0; jr < nb; jr += tileColumns)
        {
            ref var panel = ref FloatRef.At(ref packed, jr * kb);
            var columns = Math.Min(tileColumns, nb - jr);
            ref var source = ref FloatRef.At(ref b, pc * n + jc + jr);
            if (columns == tileColumns)
            {
                for (var p = 0; p < kb; p++)
                {
                    ref var row = ref FloatRef.At(ref source, p * n);
                    TSimd.Store(TSimd.Load(ref row), ref FloatRef.At(ref panel, p * tileColumns));
                    TSimd.Store(TSimd.Load(ref FloatRef.At(ref row, width)), ref FloatRef.At(ref panel, p * tileColumns + width));
                }
                continue;
            }
            for (var p = 0; p < kb; p++)
            {
                ref var row = ref FloatRef.At(ref source, p * n);
                ref var target = ref FloatRef.At(ref panel, p * tileColumns);
                var j = 0;
                for (; j < columns; j++) FloatRef.At(ref target, j) = FloatRef.At(ref row, j);
                for (; j < tileColumns; j++) FloatRef.At(ref target, j) = 0f;
            }
        }
    }

    /// <summary>
    /// Bᵀ from B <c>[n,k]</c>: panel column j is B row jc+jr+j read along k. With AVX, 8 × 8 blocks are transposed in
    /// registers (8 row loads, 24 shuffles, 8 stores); the ragged edges, and machines without AVX, copy one float at a time.
    /// </summary>
    private static void PackBTransposed(ref float b, int k, int jc, int nb, int pc, int kb, int tileColumns, ref float packed)
    {
        for (var jr = 0; jr < nb; jr += tileColumns)
        {
            ref var panel = ref FloatRef.At(ref packed, jr * kb);
            var columns = Math.Min(tileColumns, nb - jr);
            var j = 0;
            if (Avx.IsSupported)
            {
                for (; j + 8 <= columns; j += 8)
                {
                    ref var source = ref FloatRef.At(ref b, (jc + jr + j) * k + pc);
                    var p = 0;
                    for (; p + 8 <= kb; p += 8)
                        Transpose8x8(ref FloatRef.At(ref source, p), k, ref FloatRef.At(ref panel, p * tileColumns + j), tileColumns);
                    for (; p < kb; p++)
                        for (var jj = 0; jj < 8; jj++)
                            FloatRef.At(ref panel, p * tileColumns + j + jj) = FloatRef.At(ref source, jj * k + p);
                }
            }
            for (; j < tileColumns; j++)
            {
                ref var target = ref FloatRef.At(ref panel, j);
                if (j >= columns)
                {
                    for (var p = 0; p < kb; p++) FloatRef.At(ref target, p * tileColumns) = 0f;
                    continue;
                }
                ref var source = ref FloatRef.At(ref b, (jc + jr + j) * k + pc);
                for (var p = 0; p < kb; p++) FloatRef.At(ref target, p * tileColumns) = FloatRef.At(ref source, p);
            }
        }
    }

    /// <summary>Writes the transpose of the 8 × 8 block at <paramref name="source"/> (row stride <paramref name="sourceStride"/>) to <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float source, int sourceStride, ref float target, int targetStride)
    {
        var r0 = Vector256.LoadUnsafe(ref source);
        var r1 = Vector256.LoadUnsafe(ref FloatRef.At(ref source, sourceStride));
        var r2 = Vector256.LoadUnsafe(ref FloatRef.At(ref source, 2 * sourceStride));
        var r3 = Vector256.LoadUnsafe(ref FloatRef.At(ref source, 3 * sourceStride));
        var r4 = Vector256.LoadUnsafe(ref FloatRef.At(ref source, 4 * sourceStride));
        var r5 = Vector256.LoadUnsafe(ref FloatRef.At(ref source, 5 * sourceStride));
        var r6 = Vector256.LoadUnsafe(ref FloatRef.At(ref source, 6 * sourceStride));
        var r7 = Vector256.LoadUnsafe(ref FloatRef.At(ref source, 7 * sourceStride));
        // Interleave pairs of rows, then pairs of pairs within each 128-bit lane, then swap lanes.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref target);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref FloatRef.At(ref target, targetStride));
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref FloatRef.At(ref target, 2 * targetStride));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref FloatRef.At(ref target, 3 * targetStride));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref FloatRef.At(ref target, 4 * targetStride));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref FloatRef.At(ref target, 5 * targetStride));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref FloatRef.At(ref target, 6 * targetStride));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref FloatRef.At(ref target, 7 * targetStride));
    }

    /// <summary>The last <paramref name="rows"/> (&lt; <see cref="TileRows"/>) rows of an A block over a k-block, as one tile <c>[p][TileRows]</c>, zero-padded.</summary>
    private static void PackA(ref float a, int k, int rows, int kb, ref float packed)
    {
        for (var r = 0; r < TileRows; r++)
        {
            ref var target = ref FloatRef.At(ref packed, r);
            if (r >= rows)
            {
                for (var p = 0; p < kb; p++) FloatRef.At(ref target, p * TileRows) = 0f;
                continue;
            }
            ref var source = ref FloatRef.At(ref a, r * k);
            for (var p = 0; p < kb; p++) FloatRef.At(ref target, p * TileRows) = FloatRef.At(ref source, p);
        }
    }

    /// <summary>
    /// One <see cref="TileRows"/> × 2-vector tile of C over a k-block: stored (first k-block) or added (later ones).
    /// Row r of A at k step p is <c>a[r·rowStride + p·step]</c>: A in place (k, 1) or a packed tile (1, TileRows).
    /// A partial tile goes through <paramref name="edge"/> so only the <paramref name="rows"/> × <paramref name="columns"/> that exist are written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TSimd, TVector>(ref float a, int rowStride, int step, ref float b, int kb, ref float c, int ldc, bool accumulate,
        int rows, int columns, ref float edge)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var width = TSimd.Count;
        int row2 = 2 * rowStride, row3 = 3 * rowStride, row4 = 4 * rowStride, row5 = 5 * rowStride;
        TVector c00 = TSimd.Zero, c01 = TSimd.Zero, c10 = TSimd.Zero, c11 = TSimd.Zero, c20 = TSimd.Zero, c21 = TSimd.Zero;
        TVector c30 = TSimd.Zero, c31 = TSimd.Zero, c40 = TSimd.Zero, c41 = TSimd.Zero, c50 = TSimd.Zero, c51 = TSimd.Zero;
        for (var p = 0; p < kb; p++)
        {
            var b0 = TSimd.Load(ref b);
            var b1 = TSimd.Load(ref FloatRef.At(ref b, width));
            var x = TSimd.Broadcast(a);
            c00 = TSimd.MultiplyAdd(x, b0, c00);
            c01 = TSimd.MultiplyAdd(x, b1, c01);
            x = TSimd.Broadcast(FloatRef.At(ref a, rowStride));
            c10 = TSimd.MultiplyAdd(x, b0, c10);
            c11 = TSimd.MultiplyAdd(x, b1, c11);
            x = TSimd.Broadcast(FloatRef.At(ref a, row2));
            c20 = TSimd.MultiplyAdd(x, b0, c20);
            c21 = TSimd.MultiplyAdd(x, b1, c21);
            x = TSimd.Broadcast(FloatRef.At(ref a, row3));
            c30 = TSimd.MultiplyAdd(x, b0, c30);
            c31 = TSimd.MultiplyAdd(x, b1, c31);
            x = TSimd.Broadcast(FloatRef.At(ref a, row4));
            c40 = TSimd.MultiplyAdd(x, b0, c40);
            c41 = TSimd.MultiplyAdd(x, b1, c41);
            x = TSimd.Broadcast(FloatRef.At(ref a, row5));
            c50 = TSimd.MultiplyAdd(x, b0, c50);
            c51 = TSimd.MultiplyAdd(x, b1, c51);
            a = ref FloatRef.At(ref a, step);
            b = ref FloatRef.At(ref b, 2 * width);
        }
        var full = rows == TileRows && columns == 2 * width;
        ref var target = ref full ? ref c : ref edge;
        var stride = full ? ldc : 2 * width;
        var add = accumulate && full;
        StoreRow<TSimd, TVector>(c00, c01, ref target, add);
        StoreRow<TSimd, TVector>(c10, c11, ref FloatRef.At(ref target, stride), add);
        StoreRow<TSimd, TVector>(c20, c21, ref FloatRef.At(ref target, 2 * stride), add);
        StoreRow<TSimd, TVector>(c30, c31, ref FloatRef.At(ref target, 3 * stride), add);
        StoreRow<TSimd, TVector>(c40, c41, ref FloatRef.At(ref target, 4 * stride), add);
        StoreRow<TSimd, TVector>(c50, c51, ref FloatRef.At(ref target, 5 * stride), add);
        if (full) return;
        for (var r = 0; r < rows; r++)
        {
            ref var from = ref FloatRef.At(ref edge, r * 2 * width);
            ref var to = ref FloatRef.At(ref c, r * ldc);
            for (var j = 0; j < columns; j++)
                FloatRef.At(ref to, j) = accumulate ? FloatRef.At(ref to, j) + FloatRef.At(ref from, j) : FloatRef.At(ref from, j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TSimd, TVector>(TVector left, TVector right, ref float target, bool add)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        ref var second = ref FloatRef.At(ref target, TSimd.Count);
        if (add)
        {
            left = TSimd.Add(TSimd.Load(ref target), left);
            right = TSimd.Add(TSimd.Load(ref second), right);
        }
        TSimd.Store(left, ref target);
        TSimd.Store(right, ref second);
    }
}
