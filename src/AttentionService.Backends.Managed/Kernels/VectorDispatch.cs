using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// The one place that chooses a kernel call's vector width, and runs the kernel's body at it (as TensorPrimitives has
/// one invoker per arity, each kernel supplying only its body).
/// </summary>
internal static class VectorDispatch
{
    /// <summary>Multiply-adds (matrix multiply) or elements (softmax, elementwise) from which 256- and 512-bit vectors pay.</summary>
    public const long WideWork = 1L << 16;

    /// <summary>
    /// The width for a call of <paramref name="work"/> whose body lays its vectors along <paramref name="length"/>
    /// contiguous elements, on this machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorWidth Choose(long work, int length, bool computeBound) => Choose(work, length, computeBound, Hardware.Current);

    /// <summary>
    /// The rule, for every kernel:
    /// <list type="bullet">
    /// <item>Below <see cref="WideWork"/>, 128-bit. On Intel server cores heavy 256- and 512-bit float instructions (FMA,
    /// multiply, the exp polynomial) lower the core's clock for about a millisecond afterwards, which slows the rest of
    /// the request (mostly parsing its JSON) by more than a small kernel gains; 128-bit instructions never do
    /// (docs/performance.md has the measurement).</item>
    /// <item>From <see cref="WideWork"/>, the widest width the runtime accelerates; and 512-bit wherever the CPU has
    /// AVX-512 for a <paramref name="computeBound"/> body (matrix multiply, softmax's exp), even where the runtime
    /// prefers 256-bit because of that lower clock: twice the flops per instruction outweighs it when arithmetic, not
    /// memory, is the limit.</item>
    /// <item>A 256- or 512-bit width only when <paramref name="length"/> holds one of its vectors, else the next
    /// narrower: a shorter row would run entirely in the body's scalar tail. 128-bit needs no minimum (its tail is the
    /// scalar path), and is used wherever the runtime accelerates it.</item>
    /// </list>
    /// </summary>
    internal static VectorWidth Choose(long work, int length, bool computeBound, Hardware hardware)
    {
        if (work >= WideWork)
        {
            if ((hardware.Accelerates512 || computeBound && hardware.HasAvx512) && length >= Vector512<float>.Count) return VectorWidth.Bits512;
            if (hardware.Accelerates256 && length >= Vector256<float>.Count) return VectorWidth.Bits256;
        }
        return hardware.Accelerates128 ? VectorWidth.Bits128 : VectorWidth.Scalar;
    }

    /// <summary>Chooses the width (<see cref="Choose(long, int, bool)"/>) and runs <paramref name="body"/> at it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TBody>(TBody body, long work, int length, bool computeBound) where TBody : IVectorBody, allows ref struct =>
        Run(body, Choose(work, length, computeBound));

    /// <summary>Runs <paramref name="body"/> at <paramref name="width"/> (tests run every width, not only this machine's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TBody>(TBody body, VectorWidth width) where TBody : IVectorBody, allows ref struct
    {
        switch (width)
        {
            case VectorWidth.Bits512: body.Run<Simd512, Vector512<float>>(); break;
            case VectorWidth.Bits256: body.Run<Simd256, Vector256<float>>(); break;
            case VectorWidth.Bits128: body.Run<Simd128, Vector128<float>>(); break;
            default: body.Run<SimdScalar, float>(); break;
        }
    }

    /// <summary>What a large call gets on this machine, for the managed backend's description.</summary>
    public static string Description { get; } = Describe(Hardware.Current);

    internal static string Describe(Hardware hardware)
    {
        var computeBound = Choose(WideWork, int.MaxValue, computeBound: true, hardware);
        var other = Choose(WideWork, int.MaxValue, computeBound: false, hardware);
        var small = Choose(0, int.MaxValue, computeBound: false, hardware);
        var large = computeBound == other
            ? Name(other)
            : $"{Name(computeBound)} for matrix multiply and softmax, {Name(other)} elsewhere";
        return small == other ? large : $"{large}, {Name(small)} below {WideWork} elements";
    }

    private static string Name(VectorWidth width) => width switch
    {
        VectorWidth.Bits512 => "512-bit vectors",
        VectorWidth.Bits256 => "256-bit vectors",
        VectorWidth.Bits128 => "128-bit vectors",
        _ => "scalar code",
    };

    /// <summary>The vector capabilities the rule reads; <see cref="Current"/> folds to constants when the JIT compiles a caller.</summary>
    internal readonly record struct Hardware(bool Accelerates128, bool Accelerates256, bool Accelerates512, bool HasAvx512)
    {
        public static Hardware Current
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => new(Vector128.IsHardwareAccelerated, Vector256.IsHardwareAccelerated, Vector512.IsHardwareAccelerated, Avx512F.IsSupported);
        }
    }
}
