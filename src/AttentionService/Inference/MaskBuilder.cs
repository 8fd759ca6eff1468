using System.Numerics;
using AttentionService.Contracts;
using AttentionService.Core.Tensors;

namespace AttentionService.Inference;

/// <summary>
/// Expands a user's mask (padding <c>[tv]</c>/<c>[batch][tv]</c>, or full <c>[tq][tv]</c>/<c>[batch][tq][tv]</c>) and the
/// causal flag into the model's <c>[batch, tq, tv]</c> float mask (1 = may attend). A row left with nothing to attend
/// is refused (422) rather than answered with NaN weights. A request that masks nothing gets a view of one shared
/// all-ones buffer instead of a mask of its own.
/// </summary>
public static class MaskBuilder
{
    /// <summary>Ones, read-only, at least as long as the largest unmasked request so far (bounded by Attention:Limits:MaxElements).</summary>
    private static float[] _ones = [];

    /// <summary>The mask a run reads, and the tensor behind it when it was built for this request (else a shared buffer).</summary>
    public readonly struct Mask(TensorView<float> view, Tensor<float>? owned) : IDisposable
    {
        public TensorView<float> View { get; } = view;

        public void Dispose() => owned?.Dispose();
    }

    public static (Mask Mask, InferenceError? Error) Build(Tensor<float>? user, bool causal, int requestRank, int batch, int tq, int tv)
    {
        if (user is null && !causal) return (new Mask(Ones(batch, tq, tv), null), null);

        var batched = requestRank == 3;
        var padding = user is not null && user.Rank == requestRank - 1;
        if (user is not null)
        {
            if (!padding && user.Rank != requestRank)
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

        var mask = Tensor.Rent<float>(batch, tq, tv);
        var m = mask.Span;
        var u = user is null ? default : user.Span;
        for (var b = 0; b < batch; b++)
        {
            for (var i = 0; i < tq; i++)
            {
                var row = m.Slice((b * tq + i) * tv, tv);
                if (user is null) row.Fill(1f);
                else if (padding) u.Slice(b * tv, tv).CopyTo(row);
                else u.Slice((b * tq + i) * tv, tv).CopyTo(row);
                if (causal && i + 1 < tv) row[(i + 1)..].Clear();
                if (!row.ContainsAnyExcept(0f))
                {
                    mask.Dispose();
                    var where = batched ? $"batch {b}, query position {i}" : $"query position {i}";
                    return (default, InferenceError.Unprocessable(
                        $"the mask{(causal ? " with causal" : "")} leaves {where} nothing to attend to; every query needs at least one true position"));
                }
            }
        }
        return (new Mask(mask.View, mask), null);
    }

    /// <summary>A [batch, tq, tv] view of the shared ones, grown (never shrunk) when a larger request comes.</summary>
    private static TensorView<float> Ones(int batch, int tq, int tv)
    {
        var length = batch * tq * tv;
        var ones = Volatile.Read(ref _ones);
        if (ones.Length < length)
        {
            // Runs never write their inputs, so every run may read the same buffer; a run still reading the smaller one keeps it alive.
            ones = new float[(int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)length), int.MaxValue)];
            ones.AsSpan().Fill(1f);
            Volatile.Write(ref _ones, ones);
        }
        return new TensorView<float>(ones, length, [batch, tq, tv]);
    }
}
