using System.Text;
using System.Text.Json.Nodes;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using static AttentionService.Core.Models.AttentionTensorNames;

namespace AttentionService.Registry;

/// <summary>
/// A best guess at the config that binds a graph /attend cannot bind alone, shown in the refusal so the fix starts
/// from the graph's own names: a BOOL input is the mask, FP32 inputs are query, [keys,] values in order, the first two
/// FP32 outputs context and weights, and everything else an alias made from its graph name. Names that say their role
/// (query, key, value, mask, context, weight) are taken first.
/// </summary>
public static class ConfigSuggestion
{
    /// <summary>Graph names as written ("onnx::MatMul_0", "a+b"), not \u-escaped: the text is read by people.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The suggestion as one line of JSON.</summary>
    public static string For(ModelSignature signature)
    {
        // The mask first: "key_padding_mask" names a mask, not keys.
        var inputs = Guess(signature.Inputs, [(Mask, "mask"), (Query, "query"), (Keys, "key"), (Values, "value")], InputByType);
        var outputs = Guess(signature.Outputs, [(Context, "context"), (Weights, "weight")], OutputByType);
        var config = new JsonObject
        {
            ["inputs"] = ToObject(inputs, signature.Inputs),
            ["outputs"] = ToObject(outputs, signature.Outputs),
        };
        if (inputs.Contains(Mask)) config["mask"] = new JsonObject { ["meaning"] = MaskMeaning.Attend.ToWireName() };
        return config.ToJsonString(Readable);
    }

    /// <summary>Roles by name first, then by type, then aliases for the rest.</summary>
    private static string[] Guess(IReadOnlyList<TensorSpec> specs, (string Role, string Hint)[] roles,
        Func<IReadOnlyList<TensorSpec>, string?[], string?[]> byType)
    {
        var names = new string?[specs.Count];
        foreach (var (role, hint) in roles)
        {
            var match = Enumerable.Range(0, specs.Count)
                .FirstOrDefault(i => names[i] is null && specs[i].Name.Contains(hint, StringComparison.OrdinalIgnoreCase), -1);
            if (match >= 0) names[match] = role;
        }
        names = byType(specs, names);
        var taken = new HashSet<string>(names.OfType<string>(), StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (names[i] is not null) continue;
            var alias = Alias(specs[i].Name, i);
            while (!taken.Add(alias)) alias += "_";
            names[i] = alias;
        }
        return names!;
    }

    private static string?[] InputByType(IReadOnlyList<TensorSpec> specs, string?[] names)
    {
        if (!names.Contains(Mask))
        {
            var boolean = Enumerable.Range(0, specs.Count).FirstOrDefault(i => names[i] is null && specs[i].ElementType == TensorElementType.Bool, -1);
            if (boolean >= 0) names[boolean] = Mask;
        }
        var floats = Enumerable.Range(0, specs.Count).Where(i => names[i] is null && specs[i].ElementType == TensorElementType.Float32).ToList();
        var free = new List<string>();
        foreach (var role in new[] { Query, Keys, Values })
            if (!names.Contains(role)) free.Add(role);
        // Two free FP32 inputs and no keys named: query and values, as positional binding takes them.
        if (floats.Count == 2 && free.SequenceEqual([Query, Keys, Values])) free.Remove(Keys);
        for (var k = 0; k < floats.Count && k < free.Count; k++) names[floats[k]] = free[k];
        return names;
    }

    private static string?[] OutputByType(IReadOnlyList<TensorSpec> specs, string?[] names)
    {
        foreach (var role in new[] { Context, Weights })
        {
            if (names.Contains(role)) continue;
            var next = Enumerable.Range(0, specs.Count).FirstOrDefault(i => names[i] is null && specs[i].ElementType == TensorElementType.Float32, -1);
            if (next >= 0) names[next] = role;
        }
        return names;
    }

    /// <summary>A graph name as an alias: lower case letters, digits and underscores ("input.1" → "input_1", "onnx::Concat_9" → "onnx_concat_9").</summary>
    private static string Alias(string graphName, int index)
    {
        var alias = new StringBuilder();
        foreach (var c in graphName.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) alias.Append(c);
            else if (alias.Length > 0 && alias[^1] != '_') alias.Append('_');
        }
        var text = alias.ToString().Trim('_');
        return text.Length == 0 || char.IsAsciiDigit(text[0]) ? $"tensor_{(text.Length == 0 ? index.ToString() : text)}" : text;
    }

    private static JsonObject ToObject(string[] names, IReadOnlyList<TensorSpec> specs)
    {
        var section = new JsonObject();
        for (var i = 0; i < names.Length; i++) section[names[i]] = specs[i].Name;
        return section;
    }
}
