using AttentionService.Core.Models;

namespace AttentionService.Registry;

/// <summary>
/// Which graph input plays each /attend role (query, keys, values, mask) and which output is context and weights; every
/// other graph input goes by an alias, and every output may be asked for by alias or graph name. Made once at load by
/// <see cref="ModelBinder"/>; every graph input is bound.
/// </summary>
public sealed class ModelBinding
{
    private readonly ModelSignature _signature;
    private readonly string[] _inputNames;
    private readonly string?[] _outputNames;

    internal ModelBinding(ModelSignature signature, string[] inputNames, string?[] outputNames,
        BindingSource inputsBoundBy, BindingSource outputsBoundBy, MaskMeaning maskMeaning, ModelConfig? config)
    {
        _signature = signature;
        _inputNames = inputNames;
        _outputNames = outputNames;
        InputsBoundBy = inputsBoundBy;
        OutputsBoundBy = outputsBoundBy;
        Query = Array.IndexOf(inputNames, AttentionTensorNames.Query);
        Keys = Array.IndexOf(inputNames, AttentionTensorNames.Keys);
        Values = Array.IndexOf(inputNames, AttentionTensorNames.Values);
        Mask = Array.IndexOf(inputNames, AttentionTensorNames.Mask);
        Context = Array.IndexOf(outputNames, AttentionTensorNames.Context);
        Weights = Array.IndexOf(outputNames, AttentionTensorNames.Weights);
        MaskMeaning = maskMeaning;
        Config = config;
    }

    /// <summary>Graph input indices of the roles; <see cref="Keys"/> and <see cref="Mask"/> are -1 when the model takes none.</summary>
    public int Query { get; }
    public int Keys { get; }
    public int Values { get; }
    public int Mask { get; }

    /// <summary>Graph output indices of context and weights.</summary>
    public int Context { get; }
    public int Weights { get; }

    public MaskMeaning MaskMeaning { get; }

    public BindingSource InputsBoundBy { get; }
    public BindingSource OutputsBoundBy { get; }

    /// <summary>The config the binding came from, if the model has one.</summary>
    public ModelConfig? Config { get; }

    /// <summary>What graph input <paramref name="input"/> is called on /attend: its role, or its alias.</summary>
    public string InputName(int input) => _inputNames[input];

    /// <summary>What graph output <paramref name="output"/> is called on /attend: context, weights, an alias, or null (graph name only).</summary>
    public string? OutputName(int output) => _outputNames[output];

    /// <summary>Whether graph input <paramref name="input"/> is fed from the request's <c>inputs</c> (not a role).</summary>
    public bool IsExtraInput(int input) => input != Query && input != Keys && input != Values && input != Mask;

    /// <summary>The extra graph input a request's <c>inputs</c> key names (alias first, then graph name), or -1.</summary>
    public int FindExtraInput(string key)
    {
        for (var i = 0; i < _inputNames.Length; i++)
            if (IsExtraInput(i) && _inputNames[i] == key) return i;
        for (var i = 0; i < _inputNames.Length; i++)
            if (IsExtraInput(i) && _signature.Inputs[i].Name == key) return i;
        return -1;
    }

    /// <summary>The graph output a request's <c>outputs</c> entry names (role or alias first, then graph name), or -1.</summary>
    public int FindOutput(string key)
    {
        var output = Array.IndexOf(_outputNames, key);
        if (output >= 0) return output;
        for (var o = 0; o < _signature.Outputs.Count; o++)
            if (_signature.Outputs[o].Name == key) return o;
        return -1;
    }

    /// <summary>True when <paramref name="key"/> is one of the role names a request sends as its own field.</summary>
    public static bool IsInputRole(string key) => key is AttentionTensorNames.Query or AttentionTensorNames.Keys or AttentionTensorNames.Values or AttentionTensorNames.Mask;

    /// <summary>"token (INT64 [batch])" for each extra input, for error messages.</summary>
    public IEnumerable<string> ExtraInputList() => Enumerable.Range(0, _inputNames.Length).Where(IsExtraInput)
        .Select(i => $"{_inputNames[i]} ({_signature.Inputs[i].Datatype} {_signature.Inputs[i].ShapeText})");

    /// <summary>"context, weights, state (onnx::Concat_109), 111" for error messages: each output as a request may name it.</summary>
    public IEnumerable<string> OutputList() => _signature.Outputs.Select((spec, o) =>
        _outputNames[o] is not { } name ? spec.Name : name == spec.Name ? name : $"{name} ({spec.Name})");
}
