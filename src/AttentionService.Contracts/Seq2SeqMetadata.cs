namespace AttentionService.Contracts;

/// <summary>A seq2seq model's two graphs, its vocabulary and its limits, as its <c>seq2seq.json</c> states them.</summary>
/// <param name="Config">The config file, relative to the models folder (e.g. <c>dates/seq2seq.json</c>).</param>
/// <param name="Encoder">The encoder graph: run once per request on the source tokens.</param>
/// <param name="Decoder">The decoder-step graph: run once per output token.</param>
/// <param name="Vocabulary">The vocabulary's sizes and special tokens.</param>
/// <param name="MaxSourceLength">Longest source, in characters.</param>
/// <param name="MaxSteps">Most decoder steps (output tokens) per source.</param>
public sealed record Seq2SeqMetadata(
    string Config,
    Seq2SeqGraphMetadata Encoder,
    Seq2SeqGraphMetadata Decoder,
    VocabularyMetadata Vocabulary,
    int MaxSourceLength,
    int MaxSteps);

/// <summary>One graph of a seq2seq model.</summary>
/// <param name="File">The graph's file, relative to the models folder.</param>
/// <param name="Inputs">Graph inputs in the KServe v2 form (empty when the file could not be read).</param>
/// <param name="Outputs">Graph outputs, likewise.</param>
/// <param name="Roles">Each role the decode loop uses (tokens; values, state / token, query, values, mask; context, weights, state, logits) and its graph tensor.</param>
public sealed record Seq2SeqGraphMetadata(
    string File,
    IReadOnlyList<TensorMetadata> Inputs,
    IReadOnlyList<TensorMetadata> Outputs,
    IReadOnlyList<BoundTensorMetadata> Roles);

/// <summary>A seq2seq model's vocabulary.</summary>
/// <param name="Source">Source tokens (characters), specials included.</param>
/// <param name="Target">Target tokens, specials included.</param>
/// <param name="Pad">The padding token.</param>
/// <param name="Unknown">The token a source character outside the vocabulary becomes.</param>
/// <param name="Start">The token the decoder starts from.</param>
/// <param name="End">The token that ends the output.</param>
/// <param name="Lowercase">Whether the source is lowercased before it is looked up.</param>
public sealed record VocabularyMetadata(int Source, int Target, string Pad, string Unknown, string Start, string End, bool Lowercase);
