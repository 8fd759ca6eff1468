using System.Text.Json;

namespace AttentionService.Registry;

/// <summary>
/// A model's optional <c>&lt;name&gt;.json</c> beside its <c>&lt;name&gt;.onnx</c>: which graph inputs and outputs play
/// which role (or go by which alias), what its mask means, and a description for /models. The schema is
/// docs/model-config.schema.json; anything it does not allow is refused at load with one line naming the file and field.
/// </summary>
public sealed record ModelConfig(
    string FileName,
    string? Description,
    IReadOnlyList<KeyValuePair<string, string>>? Inputs,
    IReadOnlyList<KeyValuePair<string, string>>? Outputs,
    MaskMeaning? Mask)
{
    private static readonly string[] Fields = ["description", "inputs", "outputs", "mask"];
    private static readonly string[] MaskFields = ["meaning"];

    /// <summary>Reads and checks <paramref name="path"/>; throws <see cref="InvalidDataException"/> with the one-line reason.</summary>
    public static ModelConfig Read(string path) => Parse(Path.GetFileName(path), File.ReadAllBytes(path));

    /// <summary>The largest config read: a few roles, aliases and a description fit in far less.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Checks the config <paramref name="file"/>'s <paramref name="bytes"/>; throws <see cref="InvalidDataException"/> with the one-line reason.</summary>
    public static ModelConfig Parse(string file, byte[] bytes)
    {
        using (var document = OpenObject(file, bytes, Fields))
        {
            var root = document.RootElement;
            string? description = null;
            IReadOnlyList<KeyValuePair<string, string>>? inputs = null, outputs = null;
            MaskMeaning? mask = null;
            foreach (var field in Distinct(file, root, ""))
            {
                switch (field.Name)
                {
                    case "description": description = ReadDescription(file, field.Value); break;
                    case "inputs": inputs = Names(file, field); break;
                    case "outputs": outputs = Names(file, field); break;
                    case "mask": mask = ReadMask(file, field.Value); break;
                    default:
                        throw Invalid(file, $"unknown field '{field.Name}'; fields are {string.Join(", ", Fields)}");
                }
            }
            return new ModelConfig(file, description, inputs, outputs, mask);
        }
    }

    /// <summary>A role or alias → graph name object (<c>inputs</c> or <c>outputs</c>), in the file's order.</summary>
    private static List<KeyValuePair<string, string>> Names(string file, JsonProperty section)
    {
        if (section.Value.ValueKind != JsonValueKind.Object)
            throw Invalid(file, $"{section.Name} must be an object of role or alias → graph {Singular(section.Name)} name, not {Describe(section.Value)}");
        var names = new List<KeyValuePair<string, string>>();
        foreach (var entry in Distinct(file, section.Value, section.Name + "."))
        {
            if (entry.Name.Length == 0)
                throw Invalid(file, $"{section.Name} has an empty role or alias");
            if (entry.Value.ValueKind != JsonValueKind.String || entry.Value.GetString() is not { Length: > 0 } graphName)
                throw Invalid(file, $"{section.Name}.{entry.Name} must be the name of a graph {Singular(section.Name)} (a non-empty string), not {Describe(entry.Value)}");
            names.Add(new(entry.Name, graphName));
        }
        return names;
    }

    private static MaskMeaning ReadMask(string file, JsonElement mask)
    {
        if (mask.ValueKind != JsonValueKind.Object)
            throw Invalid(file, $"mask must be an object with {string.Join(", ", MaskFields)}, not {Describe(mask)}");
        MaskMeaning meaning = MaskMeaning.Attend;
        foreach (var field in Distinct(file, mask, "mask."))
        {
            if (field.Name != "meaning")
                throw Invalid(file, $"unknown field 'mask.{field.Name}'; mask has {string.Join(", ", MaskFields)}");
            var text = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : null;
            meaning = (text is null ? null : MaskMeanings.Parse(text))
                ?? throw Invalid(file, $"mask.meaning is {(text is null ? Describe(field.Value) : $"'{text}'")}; allowed: {string.Join(", ", MaskMeanings.All)}");
        }
        return meaning;
    }

    /// <summary>An object's properties, refusing a name given twice (which JSON parsers resolve differently).</summary>
    /// <summary>
    /// Parses a config <paramref name="file"/>'s <paramref name="bytes"/> as a JSON object of <paramref name="fields"/>;
    /// throws <see cref="InvalidDataException"/> with the one-line reason when it is not JSON or not an object.
    /// </summary>
    internal static JsonDocument OpenObject(string file, byte[] bytes, string[] fields)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw Invalid(file, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message.Split(" LineNumber:")[0].TrimEnd('.', ' ')}");
        }
        if (document.RootElement.ValueKind == JsonValueKind.Object)
            return document;
        var found = Describe(document.RootElement);
        document.Dispose();
        throw Invalid(file, $"the config must be a JSON object with {string.Join(", ", fields)}, not {found}");
    }

    /// <summary>A config's free-text <c>description</c>: a string, or the one-line reason.</summary>
    internal static string? ReadDescription(string file, JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Invalid(file, $"description must be a string, not {Describe(value)}");

    internal static IEnumerable<JsonProperty> Distinct(string file, JsonElement element, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw Invalid(file, $"{path}{property.Name} appears more than once");
            yield return property;
        }
    }

    private static string Singular(string section) => section == "inputs" ? "input" : "output";

    internal static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static InvalidDataException Invalid(string file, string reason) => new($"{file}: {reason}");
}
