using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using static AttentionService.Core.Models.AttentionTensorNames;

namespace AttentionService.Registry;

/// <summary>
/// Binds a graph's inputs and outputs to what /attend knows, once at load. With a config, as it says; without one,
/// by name (inputs named query, keys, values, mask; outputs context, weights), else by position where that is
/// unambiguous (2 FP32 inputs: query, values; 3: query, keys, values; 2 outputs: context, weights). A graph that cannot
/// be bound is refused with a reason that lists its inputs and outputs and shows a config that would bind them.
/// </summary>
public static class ModelBinder
{
    private static readonly string[] InputRoles = [Query, Keys, Values, Mask];

    /// <summary>The binding, or the one-line reason the model cannot be served (naming the file, and the config field).</summary>
    public static (ModelBinding? Binding, string? Refusal) Bind(string modelName, ModelSignature signature, ModelConfig? config)
    {
        var onnxFile = modelName + ".onnx";
        var configFile = config?.FileName ?? modelName + ".json";
        // A config's field, or the graph tensor a role was bound to by name or position.
        string Where(BindingSource by, string section, string role) => by == BindingSource.Config
            ? $"{configFile}: {section}.{role}"
            : $"{onnxFile}: {role} (bound by {by.ToWireName()})";

        string?[]? inputs;
        BindingSource inputsBy;
        if (config?.Inputs is { } configured)
        {
            (inputs, var error) = FromConfig(signature.Inputs, configured, configFile, "inputs");
            if (error is not null) return Refuse(error);
            inputsBy = BindingSource.Config;
            for (var i = 0; i < inputs!.Length; i++)
                if (inputs[i] is null)
                    return Refuse($"{configFile}: inputs: graph input '{signature.Inputs[i].Name}' ({Describe(signature.Inputs[i])}) is not bound; " +
                                  $"give it a role ({string.Join(", ", InputRoles)}) or an alias");
            foreach (var required in new[] { Query, Values })
                if (!inputs.Contains(required))
                    return Refuse($"{configFile}: inputs: no graph input is bound to {required}; /attend needs query and values");
        }
        else
        {
            (inputs, inputsBy) = InputsWithoutConfig(signature.Inputs);
        }

        if (inputs is not null)
            for (var i = 0; i < inputs.Length; i++)
                if (RoleInputError(inputs[i]!, signature.Inputs[i]) is { } wrong)
                    return Refuse($"{Where(inputsBy, "inputs", inputs[i]!)}: {wrong}");

        string?[]? outputs;
        BindingSource outputsBy;
        if (config?.Outputs is { } configuredOutputs)
        {
            (outputs, var error) = FromConfig(signature.Outputs, configuredOutputs, configFile, "outputs");
            if (error is not null) return Refuse(error);
            outputsBy = BindingSource.Config;
            foreach (var required in new[] { Context, Weights })
                if (!outputs!.Contains(required))
                    return Refuse($"{configFile}: outputs: no graph output is bound to {required}; /attend answers context and weights");
        }
        else
        {
            (outputs, outputsBy) = OutputsWithoutConfig(signature.Outputs);
        }

        if (inputs is null || outputs is null)
            return Refuse($"{onnxFile}: {Unbound(modelName, signature, inputs is null, outputs is null)}");

        for (var o = 0; o < outputs.Length; o++)
            if (outputs[o] is Context or Weights && signature.Outputs[o].ElementType != TensorElementType.Float32)
                return Refuse($"{Where(outputsBy, "outputs", outputs[o]!)}: graph output '{signature.Outputs[o].Name}' is {Describe(signature.Outputs[o])}; {outputs[o]} must be FP32");

        var maskInput = Array.IndexOf(inputs, Mask);
        var meaning = config?.Mask ?? MaskMeaning.Attend;
        if (config?.Mask is not null && maskInput < 0)
            return Refuse($"{configFile}: mask: no graph input is bound to mask, so mask.meaning has nothing to apply to");
        if (meaning == MaskMeaning.Additive && signature.Inputs[maskInput].ElementType != TensorElementType.Float32)
            return Refuse($"{configFile}: mask.meaning: 'additive' adds the mask to the scores, so it needs an FP32 mask input; '{signature.Inputs[maskInput].Name}' is {Describe(signature.Inputs[maskInput])}");

        return (new ModelBinding(signature, Array.ConvertAll(inputs, name => name!), outputs, inputsBy, outputsBy, meaning, config), null);
    }

    private static (ModelBinding?, string?) Refuse(string reason) => (null, reason);

    /// <summary>Role or alias per graph tensor as the config's section says; null where the config leaves one unbound.</summary>
    private static (string?[]? Names, string? Error) FromConfig(IReadOnlyList<TensorSpec> specs, IReadOnlyList<KeyValuePair<string, string>> entries,
        string configFile, string section)
    {
        var names = new string?[specs.Count];
        var what = section == "inputs" ? "input" : "output";
        foreach (var (key, graphName) in entries)
        {
            var index = IndexOf(specs, graphName);
            if (index < 0)
                return (null, $"{configFile}: {section}.{key}: the graph has no {what} '{graphName}'; its {section} are {List(specs)}");
            if (names[index] is { } other)
                return (null, $"{configFile}: {section}.{key}: graph {what} '{graphName}' is already bound to {other}");
            var namesAnother = IndexOf(specs, key);
            if (namesAnother >= 0 && namesAnother != index)
                return (null, $"{configFile}: {section}.{key}: '{key}' is the name of another graph {what}, so it cannot be an alias of '{graphName}'");
            names[index] = key;
        }
        return (names, null);
    }

    private static (string[]? Names, BindingSource By) InputsWithoutConfig(IReadOnlyList<TensorSpec> inputs)
    {
        var names = inputs.Select(i => i.Name).ToArray();
        if (names.All(n => InputRoles.Contains(n)) && names.Contains(Query) && names.Contains(Values) && names.Distinct().Count() == names.Length)
            return (names, BindingSource.Name);
        if (inputs.All(i => i.ElementType == TensorElementType.Float32))
        {
            if (inputs.Count == 2) return ([Query, Values], BindingSource.Position);
            if (inputs.Count == 3) return ([Query, Keys, Values], BindingSource.Position);
        }
        return (null, default);
    }

    private static (string?[]? Names, BindingSource By) OutputsWithoutConfig(IReadOnlyList<TensorSpec> outputs)
    {
        var names = outputs.Select(o => o.Name is Context or Weights ? o.Name : null).ToArray();
        if (names.Contains(Context) && names.Contains(Weights))
            return (names, BindingSource.Name);
        if (outputs.Count == 2)
            return ([Context, Weights], BindingSource.Position);
        return (null, default);
    }

    /// <summary>Why a role's graph input cannot take what /attend feeds it, or null.</summary>
    private static string? RoleInputError(string role, TensorSpec spec)
    {
        switch (role)
        {
            case Query or Keys or Values:
                if (spec.ElementType != TensorElementType.Float32)
                    return $"graph input '{spec.Name}' is {Describe(spec)}; {role} must be FP32";
                if (spec.Rank is not (2 or 3))
                    return $"graph input '{spec.Name}' is {Describe(spec)}; /attend feeds {role} as [batch, {(role == Query ? "tq" : "tv")}, d] or [batch, d]";
                return null;
            case Mask:
                if (spec.ElementType is not (TensorElementType.Float32 or TensorElementType.Bool))
                    return $"graph input '{spec.Name}' is {Describe(spec)}; a mask is BOOL or FP32";
                if (spec.Rank is not (2 or 3))
                    return $"graph input '{spec.Name}' is {Describe(spec)}; /attend feeds a mask as [batch, tk] or [batch, tq, tk]";
                return null;
            default:
                return null;
        }
    }

    /// <summary>Why no config means no binding, with the graph's own names and a config that would bind them.</summary>
    private static string Unbound(string modelName, ModelSignature signature, bool inputs, bool outputs)
    {
        var what = (inputs, outputs) switch
        {
            (true, true) => "its inputs and outputs",
            (true, false) => "its inputs",
            _ => "its outputs",
        };
        return $"/attend cannot tell the roles of {what} without a config: inputs bind by name ({string.Join(", ", InputRoles)}) or by position " +
               $"(2 FP32 inputs: query, values; 3: query, keys, values), outputs by name (context, weights) or by position (2 outputs: context, weights). " +
               $"The graph's inputs are {List(signature.Inputs)}; its outputs are {List(signature.Outputs)}. " +
               $"Bind them in {modelName}.json beside {modelName}.onnx (mask.meaning is attend, ignore or additive), e.g. {ConfigSuggestion.For(signature)}";
    }

    private static int IndexOf(IReadOnlyList<TensorSpec> specs, string name)
    {
        for (var i = 0; i < specs.Count; i++)
            if (specs[i].Name == name) return i;
        return -1;
    }

    /// <summary>"FP32 [batch, tq, 16]".</summary>
    internal static string Describe(TensorSpec spec) => $"{spec.Datatype} {spec.ShapeText}";

    /// <summary>"'onnx::MatMul_0' FP32 [batch, tq, 16], '5' FP32 [batch, tq, 16]".</summary>
    internal static string List(IReadOnlyList<TensorSpec> specs) => specs.Count == 0
        ? "none"
        : string.Join(", ", specs.Select(s => $"'{s.Name}' {Describe(s)}"));
}
