using System.Runtime.InteropServices;
using AttentionService.Contracts;
using AttentionService.Core.Tensors;

namespace AttentionService.Inference;

/// <summary>
/// Expands a user's mask (booleans, true = may attend: padding <c>[tv]</c>/<c>[batch][tv]</c>, or full
/// <c>[tq][tv]</c>/<c>[batch][tq][tv]</c>) and the causal flag into what the model's mask input takes
/// (<see cref="MaskForm"/>): BOOL or FP32, attend / ignore / additive, <c>[batch, tq, tv]</c> or one row per sequence
/// <c>[batch, tv]</c>. A row left with nothing to attend is refused (422) rather than answered with NaN weights, and so
/// is a mask whose rows differ within a sequence when the model takes one row per sequence. A request that masks
/// nothing gets a view of a shared buffer instead of a mask of its own.
/// </summary>
public static class MaskBuilder
{
    private static readonly SharedFill<float> FloatOnes = new(1f);
    private static readonly SharedFill<float> FloatZeros = new(0f);
    private static readonly SharedFill<bool> True = new(true);
    private static readonly SharedFill<bool> False = new(false);

    /// <summary>The mask a run reads, and the tensor behind it when it was built for this request (else a shared buffer).</summary>
    public readonly struct Mask(TensorView view, IDisposable? owned) : IDisposable
    {
        public TensorView View { get; } = view;

        public void Dispose() => owned?.Dispose();
    }

    public static (Mask Mask, InferenceError? Error) Build(Tensor<float>? user, bool causal, bool batched, int batch, int tq, int tv, MaskForm form)
    {
        int[] shape = form.Rank == 2 ? [batch, tv] : [batch, tq, tv];
        if (user is null && !causal) return (new Mask(Unmasked(form, shape), null), null);

        var padding = user is not null && user.Rank == (batched ? 2 : 1);
        if (user is not null)
        {
            if (!padding && user.Rank != (batched ? 3 : 2))
                return (default, InferenceError.BadRequest(batched
                    ? $"mask has rank {user.Rank}; send [batch][tv] (padding) or [batch][tq][tv] booleans"
                    : $"mask has rank {user.Rank}; send [tv] (padding) or [tq][tv] booleans"));
            int[] expected = (batched, padding) switch
            {
                (true, true) => [batch, tv],
                (true, false) => [batch, tq, tv],
                (false, true) => [tv],
                (false, false) => [tq, tv],
            };
            if (!user.Shape.AsSpan().SequenceEqual(expected))
                return (default, InferenceError.Unprocessable(
                    $"mask has shape [{string.Join(", ", user.Shape)}], expected [{string.Join(", ", expected)}] for batch = {batch}, tq = {tq}, tv = {tv}"));
        }

        var request = new Request(user, padding, causal, batched, batch, tq, tv, form.Rank == 2);
        return form.ElementType == TensorElementType.Bool
            ? Fill(request, shape, form.AttendBool, !form.AttendBool)
            : Fill(request, shape, form.AttendFloat, form.MaskedFloat);
    }

    private readonly record struct Request(Tensor<float>? User, bool Padding, bool Causal, bool Batched, int Batch, int Tq, int Tv, bool PerSequence);

    /// <summary>
    /// Writes each query row as 1/0 (the request's meaning), checks it, then converts it to the model's values. The
    /// shipped models take exactly 1/0 per query row, so their rows are written in place without the conversion.
    /// </summary>
    private static (Mask, InferenceError?) Fill<T>(Request r, int[] shape, T attend, T masked) where T : unmanaged, IEquatable<T>
    {
        var mask = Tensor.Rent<T>(shape);
        var m = mask.Span;
        var inPlace = typeof(T) == typeof(float) && !r.PerSequence && attend.Equals(As<float, T>(1f)) && masked.Equals(As<float, T>(0f));
        var scratch = inPlace ? null : TensorPool<float>.Shared.Rent(r.Tv);
        var u = r.User is null ? default : r.User.Span;
        try
        {
            for (var b = 0; b < r.Batch; b++)
            {
                for (var i = 0; i < r.Tq; i++)
                {
                    var destination = r.PerSequence ? m.Slice(b * r.Tv, r.Tv) : m.Slice((b * r.Tq + i) * r.Tv, r.Tv);
                    var row = inPlace ? MemoryMarshal.Cast<T, float>(destination) : scratch.AsSpan(0, r.Tv);
                    if (r.User is null) row.Fill(1f);
                    else if (r.Padding) u.Slice(b * r.Tv, r.Tv).CopyTo(row);
                    else u.Slice((b * r.Tq + i) * r.Tv, r.Tv).CopyTo(row);
                    if (r.Causal && i + 1 < r.Tv) row[(i + 1)..].Clear();
                    if (!row.ContainsAnyExcept(0f))
                        return Failed(mask, InferenceError.Unprocessable(
                            $"the mask{(r.Causal ? " with causal" : "")} leaves {Where(r, b, i)} nothing to attend to; every query needs at least one true position"));
                    if (inPlace) continue;
                    if (!r.PerSequence || i == 0)
                    {
                        for (var j = 0; j < row.Length; j++) destination[j] = row[j] != 0f ? attend : masked;
                        continue;
                    }
                    for (var j = 0; j < row.Length; j++)
                    {
                        if (destination[j].Equals(row[j] != 0f ? attend : masked)) continue;
                        return Failed(mask, InferenceError.Unprocessable(
                            $"this model takes one mask row per sequence ([batch, tv]), but the mask{(r.Causal ? " with causal" : "")} gives " +
                            $"{(r.Batched ? $"batch {b}, " : "")}query positions 0 and {i} different rows" +
                            (r.Causal ? "; causal cannot apply to it" : "; send a padding mask, the same for every query")));
                    }
                }
            }
            return (new Mask(mask.View, mask), null);
        }
        finally
        {
            if (scratch is not null) TensorPool<float>.Shared.Return(scratch);
        }
    }

    private static string Where(Request r, int b, int i) => r.Batched ? $"batch {b}, query position {i}" : $"query position {i}";

    private static (Mask, InferenceError?) Failed(IDisposable mask, InferenceError error)
    {
        mask.Dispose();
        return (default, error);
    }

    private static TTo As<TFrom, TTo>(TFrom value) => System.Runtime.CompilerServices.Unsafe.As<TFrom, TTo>(ref value);

    /// <summary>A mask that lets every position be attended, in the model's form, over a shared buffer.</summary>
    private static TensorView Unmasked(MaskForm form, int[] shape) => form.ElementType == TensorElementType.Bool
        ? (form.AttendBool ? True : False).View(shape)
        : (form.AttendFloat == 1f ? FloatOnes : FloatZeros).View(shape);
}
