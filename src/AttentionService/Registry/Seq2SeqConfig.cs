using System.Text.Json;

namespace AttentionService.Registry;

/// <summary>
/// A seq2seq model's <c>&lt;name&gt;/seq2seq.json</c>: its encoder and decoder-step graphs (each a file in the folder
/// and the graph names of the roles the decode loop uses), its vocabulary and its limits. The schema is
/// docs/seq2seq-config.schema.json; anything it does not allow is refused at load with one line naming the file and field.
/// </summary>
public sealed record Seq2SeqConfig(
    string FileName,
    string? Description,
    Seq2SeqGraphConfig Encoder,
    Seq2SeqGraphConfig Decoder,
    Vocabulary Vocabulary,
    int MaxSourceLength,
    int MaxSteps)
{
    /// <summary>The config's name in a model folder.</summary>
    public const string File = "seq2seq.json";

    /// <summary>Longest source the config may allow, in characters.</summary>
    public const int MaxSourceLengthLimit = 4096;

    /// <summary>Most decoder steps the config may allow.</summary>
    public const int MaxStepsLimit = 1024;

    private static readonly string[] Fields = ["description", "encoder", "decoder", "vocabulary", "maxSourceLength", "maxSteps"];

    /// <summary>Checks the config <paramref name="file"/>'s <paramref name="bytes"/>; throws <see cref="InvalidDataException"/> with the one-line reason.</summary>
    public static Seq2SeqConfig Parse(string file, byte[] bytes)
    {
        using (var document = ModelConfig.OpenObject(file, bytes, Fields))
        {
            var root = document.RootElement;
            string? description = null;
            Seq2SeqGraphConfig? encoder = null, decoder = null;
            Vocabulary? vocabulary = null;
            int? maxSourceLength = null, maxSteps = null;
            foreach (var field in ModelConfig.Distinct(file, root, ""))
            {
                switch (field.Name)
                {
                    case "description": description = ModelConfig.ReadDescription(file, field.Value); break;
                    case "encoder": encoder = Seq2SeqGraphConfig.Parse(file, field.Name, field.Value, Seq2SeqRoles.Encoder); break;
                    case "decoder": decoder = Seq2SeqGraphConfig.Parse(file, field.Name, field.Value, Seq2SeqRoles.Decoder); break;
                    case "vocabulary": vocabulary = Vocabulary.Parse(file, field.Value); break;
                    case "maxSourceLength": maxSourceLength = Count(file, field, MaxSourceLengthLimit); break;
                    case "maxSteps": maxSteps = Count(file, field, MaxStepsLimit); break;
                    default:
                        throw Invalid(file, $"unknown field '{field.Name}'; fields are {string.Join(", ", Fields)}");
                }
            }
            return new Seq2SeqConfig(file, description,
                encoder ?? throw Missing(file, "encoder", "the encoder graph: {\"file\": \"encoder.onnx\", \"inputs\": {...}, \"outputs\": {...}}"),
                decoder ?? throw Missing(file, "decoder", "the decoder-step graph: {\"file\": \"decoder.onnx\", \"inputs\": {...}, \"outputs\": {...}}"),
                vocabulary ?? throw Missing(file, "vocabulary", "the source and target tokens and the special ones"),
                maxSourceLength ?? throw Missing(file, "maxSourceLength", $"the longest source in characters, 1 to {MaxSourceLengthLimit}"),
                maxSteps ?? throw Missing(file, "maxSteps", $"the most decoder steps per source, 1 to {MaxStepsLimit}"));
        }
    }

    private static int Count(string file, JsonProperty field, int limit) =>
        field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt32(out var n) && n >= 1 && n <= limit
            ? n
            : throw Invalid(file, $"{field.Name} must be an integer from 1 to {limit}, not {field.Value.GetRawText()}");

    private static InvalidDataException Missing(string file, string field, string what) => Invalid(file, $"{field} is required: {what}");

    internal static InvalidDataException Invalid(string file, string reason) => new($"{file}: {reason}");
}
