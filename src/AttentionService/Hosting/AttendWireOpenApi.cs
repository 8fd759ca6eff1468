using System.Text.Json.Nodes;
using AttentionService.Registry;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AttentionService.Hosting;

/// <summary>
/// The <c>/attend</c> wire contract as the reader and writer hold it, where the CLR types alone would mislead a client:
/// tensors as nested arrays of their rank, the mask as booleans (rank 1 to 3), backend as an enum, no field that may be
/// null (the reader refuses null for every field; the writer leaves an absent part out), and a 200 example with numbers.
/// </summary>
internal static class AttendWireOpenApi
{
    /// <summary>The answer to the default model's request example (luong-dot), as the README shows it.</summary>
    public const string TensorAnswerExample = """
        {
          "model": "luong-dot",
          "backend": "managed",
          "context": [[0.42231882, 0.15536241, 0.42231882, 0], [0.21194157, 0.5761169, 0.21194157, 0]],
          "weights": [[0.42231882, 0.15536241, 0.42231882], [0.21194157, 0.5761169, 0.21194157]]
        }
        """;

    /// <summary>The answer to the text request example (dates, weights only), weights rounded to 4 decimals.</summary>
    public const string TextAnswerExample = """
        {
          "model": "dates", "backend": "managed",
          "sourceTokens": ["2", "4", " ", "n", "o", "v", "e", "m", "b", "e", "r", " ", "2", "0", "2", "6"],
          "outputTokens": ["2", "0", "2", "6", "-", "1", "1", "-", "2", "4", "</s>"],
          "output": "2026-11-24", "stop": "end",
          "weights": [
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0003, 0.9997, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0005, 0.0007, 0.9988, 0],
            [0, 0.0008, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0001, 0.0012, 0.9979],
            [0.0045, 0.5586, 0, 0.0037, 0.1115, 0.0338, 0.0017, 0, 0.0048, 0.0001, 0.0283, 0, 0.0052, 0.0116, 0.0151, 0.2209],
            [0.0004, 0.0004, 0, 0.2963, 0.322, 0.3496, 0.0306, 0, 0.0005, 0, 0.0001, 0, 0, 0.0001, 0, 0],
            [0.0002, 0.0002, 0, 0.0408, 0.6206, 0.1571, 0.1702, 0, 0.0091, 0, 0.0016, 0, 0.0001, 0.0001, 0, 0],
            [0.001, 0.1503, 0, 0.0106, 0.4632, 0.2244, 0.0339, 0, 0.0358, 0.0002, 0.072, 0, 0.0009, 0.0031, 0.0036, 0.0011],
            [0.9994, 0.0003, 0, 0, 0.0001, 0, 0, 0, 0, 0, 0, 0, 0.0001, 0.0001, 0, 0],
            [0.0001, 0.9987, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0001, 0.0004, 0.0004, 0.0004],
            [0.0003, 0.5642, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0003, 0.0007, 0.0055, 0.429]
          ]
        }
        """;

    /// <summary>An array of <paramref name="minRank"/> to <paramref name="maxRank"/> nested levels whose innermost items are <paramref name="scalar"/>.</summary>
    public static OpenApiSchema Nested(JsonSchemaType scalar, int minRank, int maxRank) => new()
    {
        Type = JsonSchemaType.Array,
        Items = (minRank, maxRank) switch
        {
            (<= 1, 1) => new OpenApiSchema { Type = scalar },
            (<= 1, _) => new OpenApiSchema { OneOf = [new OpenApiSchema { Type = scalar }, Nested(scalar, 1, maxRank - 1)] },
            _ => Nested(scalar, minRank - 1, maxRank - 1),
        },
    };

    public static OpenApiSchema Mask() => With(Nested(JsonSchemaType.Boolean, 1, 3),
        "Booleans, true = may attend: `[tv]` / `[batch][tv]` (padding, one rank below query) or `[tq][tv]` / `[batch][tq][tv]` " +
        "(same rank as query). Numbers are refused.", new JsonArray(true, true, false));

    private static OpenApiSchema Backend(string description) => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. BackendNames.All.Select(n => (JsonNode)n)],
        Description = description,
    };

    private static OpenApiSchema With(OpenApiSchema schema, string description, JsonNode example)
    {
        schema.Description = description;
        schema.Examples = [example];
        return schema;
    }

    /// <summary>The mask's type, backend's enum and no nullable field, on the request, the tensor answer and the labels.</summary>
    public sealed class SchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema concrete || concrete.Properties is null) return;
            if (context.Type == typeof(Contracts.AttendRequest))
            {
                concrete.Properties["mask"] = Mask();
                concrete.Properties["backend"] = Backend("Force a backend: `onnx` or `managed` (any case). Default: the configured policy.");
            }
            else if (context.Type == typeof(Contracts.AttendResponse))
                concrete.Properties["backend"] = Backend("The backend that actually ran.");
            else if (context.Type == typeof(Contracts.TextResponse))
                concrete.Properties["backend"] = Backend("The backend that actually ran both graphs.");
            else if (context.Type != typeof(Contracts.TokenLabels))
                return;
            foreach (var property in concrete.Properties.Values.OfType<OpenApiSchema>())
                if (property.Type is { } type) property.Type = type & ~JsonSchemaType.Null;
        }
    }

    /// <summary>
    /// The 200 answers to the request examples of luong-dot (tensors) and dates (text), named as those are, so Swagger UI
    /// shows numbers, not a sample made from the schema.
    /// </summary>
    public sealed class OperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.RelativePath != "attend") return;
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var media) == true
                && media is OpenApiMediaType answer)
                answer.Examples = new Dictionary<string, IOpenApiExample>
                {
                    ["luong-dot"] = new OpenApiExample { Summary = "luong-dot: the answer to its example (tensors)", Value = JsonNode.Parse(TensorAnswerExample) },
                    ["dates"] = new OpenApiExample { Summary = "dates: the answer to its example (text, weights only)", Value = JsonNode.Parse(TextAnswerExample) },
                };
        }
    }
}
