using AttentionService.Core.Tensors;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// A request's sources as the encoder and the decoder take them: token ids <c>[batch, src]</c>, each row padded with
/// the pad token to the longest source, and the mask <c>[batch, src]</c> (true = a real character). Owns both.
/// </summary>
public sealed class SourceBatch : IDisposable
{
    private SourceBatch(Tensor<long> tokens, Tensor<bool> mask, int[] lengths)
    {
        Tokens = tokens;
        Mask = mask;
        Lengths = lengths;
    }

    public Tensor<long> Tokens { get; }

    public Tensor<bool> Mask { get; }

    /// <summary>Each source's length in characters (tokens).</summary>
    public IReadOnlyList<int> Lengths { get; }

    public int Batch => Tokens.Shape[0];

    /// <summary>The longest source's length: the batch's source axis.</summary>
    public int Length => Tokens.Shape[1];

    /// <summary>The sources' tokens; every source is non-empty and has been checked against the model's longest source.</summary>
    public static SourceBatch Encode(Vocabulary vocabulary, IReadOnlyList<string> sources)
    {
        var lengths = sources.Select(Vocabulary.SourceLength).ToArray();
        var length = lengths.Max();
        var tokens = Tensor.Rent<long>(sources.Count, length);
        var mask = Tensor.Rent<bool>(sources.Count, length);
        tokens.Span.Fill(vocabulary.PadId);
        mask.Span.Clear();
        for (var b = 0; b < sources.Count; b++)
        {
            vocabulary.Encode(sources[b], tokens.Span.Slice(b * length, lengths[b]));
            mask.Span.Slice(b * length, lengths[b]).Fill(true);
        }
        return new SourceBatch(tokens, mask, lengths);
    }

    /// <summary>The vocabulary tokens of source <paramref name="item"/>, one per character.</summary>
    public string[] SourceTokens(Vocabulary vocabulary, int item)
    {
        var ids = Tokens.Span.Slice(item * Length, Lengths[item]);
        var tokens = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++) tokens[i] = vocabulary.Source[(int)ids[i]];
        return tokens;
    }

    public void Dispose()
    {
        Tokens.Dispose();
        Mask.Dispose();
    }
}
