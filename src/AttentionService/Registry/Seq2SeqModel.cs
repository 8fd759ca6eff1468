using AttentionService.Core.Models;

namespace AttentionService.Registry;

/// <summary>
/// The seq2seq side of a <see cref="RegisteredModel"/> loaded from a model folder: its config and vocabulary, both
/// graphs' signatures and, for each role of <see cref="Seq2SeqRoles"/>, the graph input or output index that plays it.
/// Made by <see cref="Seq2SeqBinder"/>, which has checked every role's type and rank.
/// </summary>
public sealed class Seq2SeqModel
{
    internal Seq2SeqModel(string folder, Seq2SeqConfig config, ModelSignature encoder, ModelSignature decoder, int[] encoderInputs, int[] encoderOutputs,
        int[] decoderInputs, int[] decoderOutputs)
    {
        Folder = folder;
        Config = config;
        Encoder = encoder;
        Decoder = decoder;
        (Tokens, EncoderValues, EncoderState) = (encoderInputs[0], encoderOutputs[0], encoderOutputs[1]);
        (Token, Query, Values, Mask) = (decoderInputs[0], decoderInputs[1], decoderInputs[2], decoderInputs[3]);
        (Context, Weights, State, Logits) = (decoderOutputs[0], decoderOutputs[1], decoderOutputs[2], decoderOutputs[3]);
    }

    /// <summary>The model's folder name (the model's name), which files are named relative to: <c>dates/encoder.onnx</c>.</summary>
    public string Folder { get; }

    public Seq2SeqConfig Config { get; }

    public Vocabulary Vocabulary => Config.Vocabulary;

    public ModelSignature Encoder { get; }

    public ModelSignature Decoder { get; }

    public string ConfigFile => Config.FileName;

    public string EncoderFile => $"{Folder}/{Config.Encoder.File}";

    public string DecoderFile => $"{Folder}/{Config.Decoder.File}";

    /// <summary>Encoder input index of the source tokens; output indices of the values and the state.</summary>
    public int Tokens { get; }
    public int EncoderValues { get; }
    public int EncoderState { get; }

    /// <summary>Decoder input indices.</summary>
    public int Token { get; }
    public int Query { get; }
    public int Values { get; }
    public int Mask { get; }

    /// <summary>Decoder output indices.</summary>
    public int Context { get; }
    public int Weights { get; }
    public int State { get; }
    public int Logits { get; }
}
