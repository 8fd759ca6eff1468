using AttentionService.Contracts;
using AttentionService.Contracts.OpenInference;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>Which part of the pipeline's answer an Open Inference output is.</summary>
public enum AnswerPart
{
    Context,
    Weights,
    Other,
}

/// <summary>An output of the answer: its name on the wire, where it comes from, whether it is sent as binary.</summary>
public sealed record PlannedOutput(string Name, AnswerPart Part, bool Binary);

/// <summary>
/// Turns an Open Inference Protocol request into the request the /attend pipeline runs, so both protocols share one
/// path (limits, memory budget, gate, backend choice and fallbacks): each input, named by its graph input name or by
/// its /attend role or alias, takes its place as query, keys, values, mask or an extra input, in the graph input's
/// datatype and rank (batch axis included); the mask is read in the model's own meaning and converted to /attend's
/// (true = may attend). The outputs asked for (default: every graph output, under its graph name) are planned as
/// context, weights or other outputs.
/// </summary>
public static class OpenInferenceBinding
{
    public static (AttendRequest? Request, PlannedOutput[]? Outputs, InferenceError? Error) Bind(
        string modelName, ModelSignature signature, ModelBinding binding, InferRequest request)
    {
        var parameters = request.Parameters;
        var (outputs, outputError) = PlanOutputs(modelName, signature, binding, request);
        if (outputError is not null) return (null, null, outputError);

        var sent = new InferInput?[signature.Inputs.Count];
        foreach (var input in request.Inputs)
        {
            var index = Find(signature, binding, input.Name);
            if (index < 0)
                return Fail($"model '{modelName}' has no input '{ClientText.Shorten(input.Name)}'; its inputs are {InputList(signature, binding)}");
            if (sent[index] is { } other)
                return Fail($"inputs '{ClientText.Shorten(other.Name)}' and '{ClientText.Shorten(input.Name)}' both name graph input '{signature.Inputs[index].Name}'");
            var spec = signature.Inputs[index];
            if (input.View.ElementType != spec.ElementType)
                return Fail($"input '{ClientText.Shorten(input.Name)}' is {input.View.ElementType.ToWireName()}; model '{modelName}' takes {spec.Name} as {spec.Datatype} {spec.ShapeText}");
            sent[index] = input;
        }
        if ((Missing(modelName, signature, binding, sent, binding.Query) ?? Missing(modelName, signature, binding, sent, binding.Values)) is { } missing)
            return (null, null, missing);

        Dictionary<string, JsonTensor>? extras = null;
        for (var i = 0; i < sent.Length; i++)
            if (sent[i] is { } input && binding.IsExtraInput(i))
                (extras ??= new(StringComparer.Ordinal))[binding.InputName(i)] = JsonTensor.Typed(input.Name, input.View);

        var attend = new AttendRequest
        {
            Model = modelName,
            Backend = parameters.Backend,
            Query = sent[binding.Query]!.Float!,
            Values = sent[binding.Values]!.Float!,
            Keys = binding.Keys >= 0 ? sent[binding.Keys]?.Float : null,
            Mask = binding.Mask >= 0 && sent[binding.Mask] is { } mask ? AttendMask(mask.View, binding.MaskMeaning) : null,
            Causal = parameters.Causal,
            Inputs = extras,
            Outputs = outputs!.Where(o => o.Part == AnswerPart.Other).Select(o => o.Name).ToArray(),
            Include = (outputs!.Any(o => o.Part == AnswerPart.Context) ? AnswerParts.Context : AnswerParts.None)
                      | (outputs!.Any(o => o.Part == AnswerPart.Weights) ? AnswerParts.Weights : AnswerParts.None),
        };
        return (attend, outputs, null);
    }

    /// <summary>The outputs asked for in order, or every graph output under its graph name; each found by alias or graph name.</summary>
    private static (PlannedOutput[]?, InferenceError?) PlanOutputs(string modelName, ModelSignature signature, ModelBinding binding, InferRequest request)
    {
        var binaryAll = request.Parameters.BinaryDataOutput;
        if (request.Outputs is not { Count: > 0 } asked)
            return (signature.Outputs.Select((spec, o) => new PlannedOutput(spec.Name, PartOf(binding, o), binaryAll)).ToArray(), null);
        var planned = new PlannedOutput[asked.Count];
        for (var i = 0; i < asked.Count; i++)
        {
            var output = binding.FindOutput(asked[i].Name);
            if (output < 0)
                return (null, InferenceError.BadRequest(
                    $"model '{modelName}' has no output '{ClientText.Shorten(asked[i].Name)}'; its outputs are {string.Join(", ", binding.OutputList())}"));
            planned[i] = new PlannedOutput(asked[i].Name, PartOf(binding, output), asked[i].Binary ?? binaryAll);
        }
        if (planned.Count(p => p.Part == AnswerPart.Context) > 1 || planned.Count(p => p.Part == AnswerPart.Weights) > 1)
            return (null, InferenceError.BadRequest("outputs name the same output twice (by graph name and by role)"));
        return (planned, null);
    }

    private static AnswerPart PartOf(ModelBinding binding, int output) =>
        output == binding.Context ? AnswerPart.Context : output == binding.Weights ? AnswerPart.Weights : AnswerPart.Other;

    /// <summary>The graph input a name means: its graph name first, then its /attend role or alias; -1 when none.</summary>
    private static int Find(ModelSignature signature, ModelBinding binding, string name)
    {
        for (var i = 0; i < signature.Inputs.Count; i++)
            if (signature.Inputs[i].Name == name) return i;
        for (var i = 0; i < signature.Inputs.Count; i++)
            if (binding.InputName(i) == name) return i;
        return -1;
    }

    private static InferenceError? Missing(string modelName, ModelSignature signature, ModelBinding binding, InferInput?[] sent, int index)
    {
        if (sent[index] is not null) return null;
        var spec = signature.Inputs[index];
        return InferenceError.BadRequest($"model '{modelName}' needs input '{spec.Name}' ({spec.Datatype} {spec.ShapeText}); its inputs are {InputList(signature, binding)}");
    }

    /// <summary>
    /// The mask as /attend takes it (1 = may attend), read in the model's meaning: true/non-zero attends (attend),
    /// true/non-zero is masked out (ignore), 0 attends and -inf is masked out (additive).
    /// </summary>
    private static Tensor<float> AttendMask(TensorView mask, MaskMeaning meaning)
    {
        var attend = Tensor.Rent<float>(mask.Shape);
        var span = attend.Span;
        if (mask.ElementType == TensorElementType.Bool)
        {
            var bools = mask.As<bool>().Span;
            for (var i = 0; i < span.Length; i++) span[i] = bools[i] == (meaning != MaskMeaning.Ignore) ? 1f : 0f;
        }
        else if (mask.ElementType == TensorElementType.Float32)
        {
            var floats = mask.As<float>().Span;
            for (var i = 0; i < span.Length; i++)
                span[i] = meaning switch
                {
                    MaskMeaning.Attend => floats[i] > 0.5f ? 1f : 0f,
                    MaskMeaning.Ignore => floats[i] > 0.5f ? 0f : 1f,
                    _ => floats[i] == 0f ? 1f : 0f,
                };
        }
        else
        {
            var longs = mask.As<long>().Span;
            for (var i = 0; i < span.Length; i++) span[i] = (longs[i] != 0) == (meaning != MaskMeaning.Ignore) ? 1f : 0f;
        }
        return attend;
    }

    /// <summary>"query (FP32 [batch, tq, d]), ..." with the /attend name where it differs from the graph name.</summary>
    private static string InputList(ModelSignature signature, ModelBinding binding) => string.Join(", ", signature.Inputs.Select((spec, i) =>
        binding.InputName(i) == spec.Name ? $"{spec.Name} ({spec.Datatype} {spec.ShapeText})" : $"{spec.Name} or {binding.InputName(i)} ({spec.Datatype} {spec.ShapeText})"));

    private static (AttendRequest?, PlannedOutput[]?, InferenceError?) Fail(string detail) => (null, null, InferenceError.BadRequest(detail));
}
