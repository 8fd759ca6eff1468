using System.Text.Json;

namespace AttentionService.Registry;

/// <summary>
/// One graph of a <see cref="Seq2SeqConfig"/>: its file in the model's folder and, per role, the graph tensor's name
/// (a role the config leaves out is the graph tensor of the same name). Inputs and outputs are in the role order of
/// <see cref="Seq2SeqRoles"/>.
/// </summary>
public sealed record Seq2SeqGraphConfig(string File, string[] Inputs, string[] Outputs)
{
    private static readonly string[] Fields = ["file", "inputs", "outputs"];

    internal static Seq2SeqGraphConfig Parse(string file, string section, JsonElement graph, Seq2SeqRoles.GraphRoles roles)
    {
        if (graph.ValueKind != JsonValueKind.Object)
            throw Seq2SeqConfig.Invalid(file, $"{section} must be an object with {string.Join(", ", Fields)}, not {ModelConfig.Describe(graph)}");
        string? graphFile = null;
        string[] inputs = [.. roles.Inputs], outputs = [.. roles.Outputs];
        foreach (var field in ModelConfig.Distinct(file, graph, section + "."))
        {
            switch (field.Name)
            {
                case "file": graphFile = FileName(file, $"{section}.file", field.Value); break;
                case "inputs": Names(file, $"{section}.inputs", field.Value, roles.Inputs, inputs); break;
                case "outputs": Names(file, $"{section}.outputs", field.Value, roles.Outputs, outputs); break;
                default:
                    throw Seq2SeqConfig.Invalid(file, $"unknown field '{section}.{field.Name}'; {section} has {string.Join(", ", Fields)}");
            }
        }
        return new Seq2SeqGraphConfig(graphFile ?? throw Seq2SeqConfig.Invalid(file, $"{section}.file is required: the graph's file in the model's folder, e.g. \"{section}.onnx\""),
            inputs, outputs);
    }

    /// <summary>A file name inside the model's folder: no directory part, so a config cannot reach outside it.</summary>
    private static string FileName(string file, string field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } name)
            throw Seq2SeqConfig.Invalid(file, $"{field} must be a file name (a non-empty string), not {ModelConfig.Describe(value)}");
        if (name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0)
            throw Seq2SeqConfig.Invalid(file, $"{field} is '{name}'; it must name a file in the model's folder, without a directory");
        return name;
    }

    private static void Names(string file, string field, JsonElement value, string[] roles, string[] names)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Seq2SeqConfig.Invalid(file, $"{field} must be an object of role → graph name ({string.Join(", ", roles)}), not {ModelConfig.Describe(value)}");
        foreach (var entry in ModelConfig.Distinct(file, value, field + "."))
        {
            var role = Array.IndexOf(roles, entry.Name);
            if (role < 0)
                throw Seq2SeqConfig.Invalid(file, $"{field}.{entry.Name}: unknown role; the roles are {string.Join(", ", roles)}");
            if (entry.Value.ValueKind != JsonValueKind.String || entry.Value.GetString() is not { Length: > 0 } graphName)
                throw Seq2SeqConfig.Invalid(file, $"{field}.{entry.Name} must be the name of a graph tensor (a non-empty string), not {ModelConfig.Describe(entry.Value)}");
            names[role] = graphName;
        }
    }
}
