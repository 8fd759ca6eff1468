using System.Diagnostics;
using AttentionService.Configuration;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;

namespace AttentionService.Registry;

/// <summary>
/// Seq2seq models: a folder <c>&lt;name&gt;/</c> of the models folder holding a <c>seq2seq.json</c>
/// (<see cref="Seq2SeqConfig"/>) and the two graph files it names. Each file is read as untrusted input, the roles
/// are bound (<see cref="Seq2SeqBinder"/>), and both graphs are loaded on each backend; a backend that cannot load
/// either is not available for the model. The decoder step is also bound for tensor requests (one step).
/// </summary>
public sealed partial class ModelRegistry
{
    /// <summary>Adds each folder with a seq2seq.json to <paramref name="found"/>; a <c>&lt;name&gt;.onnx</c> of the same name keeps the name.</summary>
    private void LookForSeq2Seq(SortedDictionary<string, ModelFiles> found)
    {
        foreach (var directory in Directory.EnumerateDirectories(Folder))
        {
            var name = Path.GetFileName(directory);
            if (!System.IO.File.Exists(Path.Combine(directory, Seq2SeqConfig.File))) continue;
            if (!ModelName.IsValid(name))
            {
                if (_badNamesWarned.Add(name))
                    logger.LogWarning("Skipping {Path}: '{Model}' is not a valid model name ({Pattern})", directory, name, ModelName.Pattern);
                continue;
            }
            if (found.ContainsKey(name))
            {
                if (_badNamesWarned.Add(name + "/"))
                    logger.LogWarning("Skipping {Path}: {Model}.onnx has the name {Model} already; rename one of them", directory, name, name);
                continue;
            }
            found[name] = ModelFiles.OfSeq2Seq(Folder, name);
        }
    }

    private async Task<Loaded> LoadSeq2SeqAsync(string name, Stopwatch clock, CancellationToken cancellationToken)
    {
        var configFile = $"{name}/{Seq2SeqConfig.File}";
        Seq2SeqConfig config;
        try
        {
            config = Seq2SeqConfig.Parse(configFile, await ReadFolderFileAsync(configFile, ModelConfig.MaxBytes, "the bound on model configs", cancellationToken));
        }
        catch (InvalidDataException e)
        {
            return Seq2SeqRefused(name, Relative(e.Message));
        }
        ModelSource encoder, decoder;
        try
        {
            encoder = await ReadGraphAsync($"{name}/{config.Encoder.File}", cancellationToken);
            decoder = await ReadGraphAsync($"{name}/{config.Decoder.File}", cancellationToken);
        }
        catch (InvalidDataException e)
        {
            return Seq2SeqRefused(name, Relative(e.Message));
        }
        var (seq2seq, refusal) = Seq2SeqBinder.Bind(name, config, encoder.Signature, decoder.Signature);
        if (seq2seq is null) return Seq2SeqRefused(name, refusal!, decoder.Signature);
        var (binding, stepRefusal) = ModelBinder.Bind(name, decoder.Signature, DecoderStepConfig(seq2seq));
        if (binding is null) return Seq2SeqRefused(name, stepRefusal!, decoder.Signature);

        var slots = Slots(factory => CreateSeq2SeqBackends(factory, seq2seq, encoder, decoder));
        return new(RegisteredModel.LoadedSeq2Seq(name, seq2seq, binding, slots),
            new LoadSummary(clock.Elapsed.TotalMilliseconds, configFile, string.Join(", ", slots.Where(s => s.IsReady).Select(s => s.Kind.ToWireName()))));
    }

    /// <summary>Both graphs on one backend, or the slot saying which could not load and why.</summary>
    private BackendSlot CreateSeq2SeqBackends(IBackendFactory factory, Seq2SeqModel seq2seq, ModelSource encoder, ModelSource decoder)
    {
        var encoderSlot = CreateBackend(factory, encoder);
        if (encoderSlot.Backend is null)
            return encoderSlot with { UnavailableReason = $"{seq2seq.EncoderFile}: {encoderSlot.UnavailableReason}" };
        var decoderSlot = CreateBackend(factory, decoder);
        if (decoderSlot.Backend is null)
        {
            encoderSlot.Backend.Dispose();
            return decoderSlot with { UnavailableReason = $"{seq2seq.DecoderFile}: {decoderSlot.UnavailableReason}" };
        }
        return new BackendSlot(factory.Kind, decoderSlot.Backend, null, encoderSlot.Backend);
    }

    /// <summary>The decoder step bound for tensor requests: query, values and mask by role, the token and the other outputs by their role names as aliases.</summary>
    private static ModelConfig DecoderStepConfig(Seq2SeqModel seq2seq)
    {
        var inputs = seq2seq.Config.Decoder.Inputs;
        var outputs = seq2seq.Config.Decoder.Outputs;
        var roles = Seq2SeqRoles.Decoder;
        return new ModelConfig(seq2seq.ConfigFile, seq2seq.Config.Description,
            roles.Inputs.Select((role, i) => new KeyValuePair<string, string>(role, inputs[i])).ToList(),
            roles.Outputs.Select((role, o) => new KeyValuePair<string, string>(role, outputs[o])).ToList(),
            MaskMeaning.Attend);
    }

    private async Task<ModelSource> ReadGraphAsync(string file, CancellationToken cancellationToken)
    {
        var bytes = await ReadFolderFileAsync(file, options.Value.Limits.MaxModelBytes, "Attention:Limits:MaxModelBytes", cancellationToken);
        try
        {
            return ModelSource.Parse(file, bytes);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"{file}: {e.Message}");
        }
    }

    /// <summary>A file of a model folder, named relative to the models folder; every failure an <see cref="InvalidDataException"/> naming it.</summary>
    private async Task<byte[]> ReadFolderFileAsync(string file, long maxBytes, string limitSetting, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.Models.LoadTimeoutSeconds);
        try
        {
            return await UntrustedFile.ReadAsync(Path.Combine(Folder, file), file, maxBytes, limitSetting, timeout, cancellationToken);
        }
        catch (Exception e) when (e is not (OperationCanceledException or InvalidDataException))
        {
            throw new InvalidDataException($"{file}: {e.Message}");
        }
    }

    private Loaded Seq2SeqRefused(string name, string reason, ModelSignature? decoder = null)
    {
        logger.LogError("Model {Model} refused: {Reason}", name, reason);
        return new(RegisteredModel.Failed(name, reason, decoder, takesText: true), null);
    }
}
