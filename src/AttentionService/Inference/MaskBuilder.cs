using AttentionService.Core.Tensors;

namespace AttentionService.Inference;

/// <summary>
/// Expands a user's mask (padding <c>[tv]</c>/<c>[batch][tv]</c>, or full <c>[tq][tv]</c>/<c>[batch][tq][tv]</c>) and the
/// causal flag into the model's <c>[batch, tq, tv]</c> float mask (1 = may attend). A row left with nothing to attend
/// is refused (422) rather than answered with NaN weights.
/// </summary>
public static class MaskBuilder
{
    public static (Tensor? Mask, InferenceError? Error) Build(Tensor? user, bool causal, int requestRank, int batch, int tq, int tv)
    {
        var batched = requestRank == 3;
        var padding = user is not null && user.Rank == requestRank - 1;
        if (user is not null)
        {
            if (!padding && user.Rank != requestRank)
                return (null, InferenceError.BadRequest(batched
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
                return (null, InferenceError.Unprocessable(
                    $"mask has shape [{string.Join(", ", user.Shape)}], expected [{string.Join(", ", expected)}] for batch = {batch}, tq = {tq}, tv = {tv}"));
        }

        var mask = Tensor.Rent(batch, tq, tv);
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
                    return (null, InferenceError.Unprocessable(
                        $"the mask{(causal ? " with causal" : "")} leaves {where} nothing to attend to; every query needs at least one true position"));
                }
            }
        }
        return (mask, null);
    }
}
