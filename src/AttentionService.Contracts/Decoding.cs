using AttentionService.Core.Tensors;

namespace AttentionService.Contracts;

/// <summary>
/// One source decoded greedily by a seq2seq model: what the encoder read, what the decoder wrote, and where each
/// step looked. Its tensors are views of buffers the request's outcome owns.
/// </summary>
public sealed class Decoding
{
    /// <summary>The source as the model read it: one vocabulary token per character (lowercased when the model's vocabulary says so; unknown characters as its unknown token).</summary>
    public required IReadOnlyList<string> SourceTokens { get; init; }

    /// <summary>The tokens the decoder chose, one per step, the end token included when it came.</summary>
    public required IReadOnlyList<string> OutputTokens { get; init; }

    /// <summary>The output tokens joined, without the end token: the decoded text.</summary>
    public required string Output { get; init; }

    /// <summary>Why decoding stopped: <c>end</c> (the end token came) or <c>maxSteps</c> (the model's step limit).</summary>
    public required string Stop { get; init; }

    /// <summary>The context vector of every step, <c>[steps][dv]</c>.</summary>
    public required TensorView<float> Context { get; init; }

    /// <summary>The attention weights of every step over the source characters, <c>[steps][source length]</c>.</summary>
    public required TensorView<float> Weights { get; init; }
}
