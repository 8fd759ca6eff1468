using System.Text.Json.Nodes;
using Json.Schema;

namespace AttentionService.Tests.Support;

/// <summary>
/// An OpenAPI document's component schemas as a JSON Schema (2020-12): the components become <c>$defs</c>, their
/// <c>$ref</c>s follow, and OpenAPI 3.0's <c>nullable</c> becomes a <c>"null"</c> type (JSON Schema has no such keyword).
/// </summary>
public static class OpenApiSchemas
{
    public static JsonSchema ToJsonSchema(JsonNode componentSchemas, string name, string id)
    {
        var defs = JsonNode.Parse(componentSchemas.ToJsonString().Replace("#/components/schemas/", "#/$defs/"))!;
        Nullable(defs);
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = id,
            ["$defs"] = defs,
            ["$ref"] = $"#/$defs/{name}",
        };
        return JsonSchema.FromText(root.ToJsonString());
    }

    /// <summary>The errors of a failed evaluation, one line each, for an assertion's message.</summary>
    public static string Errors(EvaluationResults result) =>
        string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    private static void Nullable(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject schema:
                if (schema["nullable"] is JsonValue flag && flag.GetValue<bool>() && schema["type"] is JsonValue type)
                    schema["type"] = new JsonArray((string)type!, "null");
                // A nullable reference: oneOf the referenced schema, or null.
                else if (schema["nullable"] is JsonValue refFlag && refFlag.GetValue<bool>() && schema["oneOf"] is JsonArray choices)
                    choices.Add(new JsonObject { ["type"] = "null" });
                schema.Remove("nullable");
                foreach (var (_, child) in schema.ToList()) Nullable(child);
                break;
            case JsonArray list:
                foreach (var child in list) Nullable(child);
                break;
        }
    }
}
