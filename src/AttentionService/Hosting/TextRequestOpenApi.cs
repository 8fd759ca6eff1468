using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AttentionService.Hosting;

/// <summary>
/// The text form of <c>POST /attend</c> in the OpenAPI document: <c>source</c> and <c>sources</c> beside the tensor
/// fields of the request, the text answer beside the tensor answer, and two request examples that answer when tried
/// in Swagger UI (tensors to <c>luong-dot</c> first, as before; then a date to <c>dates</c>).
/// </summary>
internal static class TextRequestOpenApi
{
    private const string TensorExample = """
        {
          "model": "luong-dot",
          "query": [[1, 0, 1, 0], [0, 1, 0, 1]],
          "values": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
        }
        """;

    private const string TextExample = """
        {
          "model": "dates",
          "source": "24 November 2026"
        }
        """;

    /// <summary>Adds source and sources to the request's schema; query and values are then required only of the tensor form.</summary>
    public sealed class RequestSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (context.Type != typeof(Contracts.AttendRequest) || schema is not OpenApiSchema request) return;
            request.Properties ??= new Dictionary<string, IOpenApiSchema>();
            request.Properties["source"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                Description = "Text form, for a seq2seq model (GET /models: forms has text): the text to decode, e.g. \"24 November 2026\". " +
                              "Not with sources, nor with any tensor field.",
            };
            request.Properties["sources"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                MinItems = 1,
                Items = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1 },
                Description = "Text form: several texts decoded as one batch, answered as results in this order (each equal to decoding it alone).",
            };
            request.Required?.Clear();
            request.Description = "Either tensors (query and values required; keys, mask, causal, inputs, outputs optional) or, for a seq2seq model, " +
                                  "text (source or sources). model and backend apply to both.";
        }
    }

    /// <summary>Both request examples, and the text answer as the 200's other form.</summary>
    public sealed class OperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.RelativePath != "attend") return;
            if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true && body is OpenApiMediaType media)
                media.Examples = new Dictionary<string, IOpenApiExample>
                {
                    ["tensors"] = new OpenApiExample { Summary = "Tensors to an attention layer (luong-dot)", Value = JsonNode.Parse(TensorExample) },
                    ["text"] = new OpenApiExample { Summary = "A date to the seq2seq model dates", Value = JsonNode.Parse(TextExample) },
                };
            var text = context.SchemaGenerator.GenerateSchema(typeof(Contracts.TextResponse), context.SchemaRepository);
            context.SchemaGenerator.GenerateSchema(typeof(Contracts.Decoding), context.SchemaRepository);
            if (context.SchemaRepository.Schemas.TryGetValue(nameof(Contracts.TextResponse), out var answer) && answer is OpenApiSchema textAnswer
                && context.SchemaRepository.Schemas.TryGetValue(nameof(Contracts.Decoding), out var one) && one is OpenApiSchema oneDecoding)
            {
                // The wire form: a single source's decoding is written beside model and backend; a batch's under results.
                textAnswer.Properties?.Remove("batched");
                foreach (var (name, property) in oneDecoding.Properties ?? new Dictionary<string, IOpenApiSchema>())
                    textAnswer.Properties?.TryAdd(name, property);
                textAnswer.Required?.Clear();
                textAnswer.Description = "The answer to text: for source, one decoding's fields (sourceTokens, outputTokens, output, stop, context, weights) " +
                                         "beside model and backend; for sources, results, one decoding per source.";
            }
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var okMedia) == true
                && okMedia is OpenApiMediaType answerMedia && answerMedia.Schema is { } tensorAnswer)
                answerMedia.Schema = new OpenApiSchema { OneOf = [tensorAnswer, text], Description = "The tensor answer, or the text answer of a seq2seq model." };
        }
    }
}
