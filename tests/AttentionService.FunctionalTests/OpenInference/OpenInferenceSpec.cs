using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace AttentionService.Tests.OpenInference;

/// <summary>
/// The official Open Inference Protocol REST document (tests/fixtures/open-inference-protocol/open_inference_rest.yaml):
/// every /v2 answer is checked to be on a path and method it defines, and its body against the schema it gives for the
/// status, or, for an error status it does not list, the operation's error schema (<c>{"error": string}</c>).
/// </summary>
public static partial class OpenInferenceSpec
{
    public static readonly string Folder = Path.Combine(RepoPaths.Root, "tests", "fixtures", "open-inference-protocol");

    private static readonly JsonObject Document = Load();

    private static JsonObject Paths => Document["paths"]!.AsObject();

    /// <summary>Asserts the answer to <paramref name="method"/> <paramref name="path"/> is what the document allows; returns its JSON body, if any.</summary>
    public static async Task<JsonNode?> AssertConformsAsync(HttpMethod method, string path, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        var template = Template(path);
        Assert.True(Paths.ContainsKey(template), $"{path} ({template}) is not a path of the Open Inference Protocol document");
        var operation = Paths[template]![method.Method.ToLowerInvariant()];
        Assert.True(operation is not null, $"{method} {template} is not an operation of the Open Inference Protocol document");
        var responses = operation!["responses"]!.AsObject();
        if (status >= 400)
        {
            Assert.True(status < 500 || status == 503, $"{method} {path}: {status} {body}");
            Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType);
        }
        var schemaName = SchemaOf(responses[status.ToString()]) ?? (status >= 400 ? ErrorSchema(template, responses) : null);
        if (schemaName is null)
        {
            Assert.True(responses.ContainsKey(status.ToString()), $"{method} {template} defines no {status} answer: {body}");
            return body.Length == 0 ? null : JsonNode.Parse(body);
        }
        using var json = JsonDocument.Parse(body);
        var result = Schema(schemaName).Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, $"{method} {path} {status} does not match {schemaName}: {body}\n" +
            string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        var answer = JsonNode.Parse(body);
        // The document's inference_error_response leaves "error" optional; its prose requires it, as every other error schema does.
        if (status >= 400) Assert.True(answer?["error"]?.GetValueKind() == JsonValueKind.String, $"{method} {path} {status} has no error string: {body}");
        return answer;
    }

    /// <summary>Validates a JSON value (e.g. a binary answer's JSON header) against a named schema of the document.</summary>
    public static EvaluationResults Evaluate(string schemaName, JsonElement json) =>
        Schema(schemaName).Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List });

    /// <summary>The document's path for a concrete one: the version is optional in the prose and required in the document.</summary>
    private static string Template(string path)
    {
        path = path.Split('?')[0];
        if (path is "/v2" or "/v2/") return "/v2/";
        var model = ModelPath().Match(path);
        if (!model.Success) return path;
        return "/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}" + model.Groups["rest"].Value;
    }

    private static string? SchemaOf(JsonNode? response) =>
        ((string?)response?["content"]?["application/json"]?["schema"]?["$ref"])?.Split('/')[^1];

    /// <summary>The error schema an operation names, or the one its resource has in the document's components.</summary>
    private static string ErrorSchema(string template, JsonObject responses) =>
        responses.Where(r => r.Key != "200").Select(r => SchemaOf(r.Value)).FirstOrDefault(s => s is not null)
        ?? (template.StartsWith("/v2/models/", StringComparison.Ordinal) ? "metadata_model_error_response" : "metadata_server_error_response");

    private static readonly Dictionary<string, JsonSchema> Schemas = [];

    private static JsonSchema Schema(string name)
    {
        lock (Schemas)
        {
            if (Schemas.TryGetValue(name, out var schema)) return schema;
            // The components become $defs of a 2020-12 schema; OpenAPI 3.0's schema objects are JSON Schema here.
            return Schemas[name] = OpenApiSchemas.ToJsonSchema(Document["components"]!["schemas"]!, name, $"https://attention-service.test/open-inference/{name}");
        }
    }

    private static JsonObject Load()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Folder, "open_inference_rest.yaml"))) yaml.Load(reader);
        return ToJson(yaml.Documents[0].RootNode)!.AsObject();
    }

    /// <summary>YAML to JSON; scalars that are numbers or booleans in YAML stay so, the rest are strings.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar when long.TryParse(scalar.Value, out var n) => n,
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } scalar => scalar.Value == "true",
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    [GeneratedRegex(@"^/v2/models/[^/]+(/versions/[^/]+)?(?<rest>/ready|/infer)?$")]
    private static partial Regex ModelPath();
}
