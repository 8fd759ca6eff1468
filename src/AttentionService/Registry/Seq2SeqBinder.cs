using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Registry;

/// <summary>
/// Binds a <see cref="Seq2SeqConfig"/>'s roles to its two graphs, once at load: every role names a tensor of the
/// graph, of the type and rank the decode loop feeds or reads, and every graph input has a role. A mismatch refuses the
/// model with one line naming the config field and listing what the graph has.
/// </summary>
public static class Seq2SeqBinder
{
    private readonly record struct Expected(TensorElementType Type, int Rank, string Shape);

    private static readonly Dictionary<string, Expected> EncoderInputs = new()
    {
        [Seq2SeqRoles.Tokens] = new(TensorElementType.Int64, 2, "[batch, src]"),
    };

    private static readonly Dictionary<string, Expected> EncoderOutputs = new()
    {
        [Seq2SeqRoles.Values] = new(TensorElementType.Float32, 3, "[batch, src, dv]"),
        [Seq2SeqRoles.State] = new(TensorElementType.Float32, 2, "[batch, hidden]"),
    };

    private static readonly Dictionary<string, Expected> DecoderInputs = new()
    {
        [Seq2SeqRoles.Token] = new(TensorElementType.Int64, 1, "[batch]"),
        [Seq2SeqRoles.Query] = new(TensorElementType.Float32, 2, "[batch, hidden]"),
        [Seq2SeqRoles.Values] = new(TensorElementType.Float32, 3, "[batch, src, dv]"),
        [Seq2SeqRoles.Mask] = new(TensorElementType.Bool, 2, "[batch, src]"),
    };

    private static readonly Dictionary<string, Expected> DecoderOutputs = new()
    {
        [Seq2SeqRoles.Context] = new(TensorElementType.Float32, 2, "[batch, dv]"),
        [Seq2SeqRoles.Weights] = new(TensorElementType.Float32, 2, "[batch, src]"),
        [Seq2SeqRoles.State] = new(TensorElementType.Float32, 2, "[batch, hidden]"),
        [Seq2SeqRoles.Logits] = new(TensorElementType.Float32, 2, "[batch, target vocabulary]"),
    };

    /// <summary>The bound model, or the one-line reason it is refused.</summary>
    public static (Seq2SeqModel? Model, string? Refusal) Bind(string folder, Seq2SeqConfig config, ModelSignature encoder, ModelSignature decoder)
    {
        var configFile = config.FileName;
        try
        {
            var encoderFile = $"{folder}/{config.Encoder.File}";
            var decoderFile = $"{folder}/{config.Decoder.File}";
            var encoderInputs = Roles(configFile, "encoder.inputs", encoderFile, encoder.Inputs, Seq2SeqRoles.Encoder.Inputs, config.Encoder.Inputs, EncoderInputs, everyTensor: true);
            var encoderOutputs = Roles(configFile, "encoder.outputs", encoderFile, encoder.Outputs, Seq2SeqRoles.Encoder.Outputs, config.Encoder.Outputs, EncoderOutputs, everyTensor: false);
            var decoderInputs = Roles(configFile, "decoder.inputs", decoderFile, decoder.Inputs, Seq2SeqRoles.Decoder.Inputs, config.Decoder.Inputs, DecoderInputs, everyTensor: true);
            var decoderOutputs = Roles(configFile, "decoder.outputs", decoderFile, decoder.Outputs, Seq2SeqRoles.Decoder.Outputs, config.Decoder.Outputs, DecoderOutputs, everyTensor: false);
            var logits = decoder.Outputs[decoderOutputs[3]];
            if (logits.Shape[^1] >= 0 && logits.Shape[^1] != config.Vocabulary.Target.Count)
                return (null, $"{configFile}: decoder.outputs.logits: graph output '{logits.Name}' scores {logits.Shape[^1]} tokens, vocabulary.target has {config.Vocabulary.Target.Count}");
            return (new Seq2SeqModel(folder, config, encoder, decoder, encoderInputs, encoderOutputs, decoderInputs, decoderOutputs), null);
        }
        catch (InvalidDataException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>The graph index of each role, checked; with <paramref name="everyTensor"/>, every graph tensor must have a role.</summary>
    private static int[] Roles(string configFile, string section, string graphFile, IReadOnlyList<TensorSpec> specs, string[] roles, string[] graphNames,
        Dictionary<string, Expected> expected, bool everyTensor)
    {
        var what = section.EndsWith("inputs", StringComparison.Ordinal) ? "input" : "output";
        var indices = new int[roles.Length];
        for (var r = 0; r < roles.Length; r++)
        {
            var index = -1;
            for (var i = 0; i < specs.Count; i++)
                if (specs[i].Name == graphNames[r]) index = i;
            if (index < 0)
                throw new InvalidDataException($"{configFile}: {section}.{roles[r]} names '{graphNames[r]}', which {graphFile} does not have; its {what}s are {ModelBinder.List(specs)}");
            var earlier = Array.IndexOf(indices, index, 0, r);
            if (earlier >= 0)
                throw new InvalidDataException($"{configFile}: {section}.{roles[r]} names '{graphNames[r]}', which is already {section}.{roles[earlier]}");
            var spec = specs[index];
            var want = expected[roles[r]];
            if (spec.ElementType != want.Type || spec.Rank != want.Rank)
                throw new InvalidDataException($"{configFile}: {section}.{roles[r]}: graph {what} '{spec.Name}' of {graphFile} is {ModelBinder.Describe(spec)}; " +
                                               $"the decode loop {(what == "input" ? "feeds" : "reads")} {roles[r]} as {want.Type.ToWireName()} {want.Shape}");
            indices[r] = index;
        }
        if (everyTensor)
            for (var i = 0; i < specs.Count; i++)
                if (Array.IndexOf(indices, i) < 0)
                    throw new InvalidDataException($"{configFile}: {section}: graph {what} '{specs[i].Name}' ({ModelBinder.Describe(specs[i])}) of {graphFile} has no role; " +
                                                   $"the decode loop feeds {string.Join(", ", roles)} only");
        return indices;
    }
}
