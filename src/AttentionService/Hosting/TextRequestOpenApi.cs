using System.Text.Json.Nodes;
using AttentionService.Configuration;
using AttentionService.Registry;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AttentionService.Hosting;

/// <summary>
/// The text form of <c>POST /attend</c> in the OpenAPI document: <c>source</c> and <c>sources</c> beside the tensor
/// fields of the request, the text answer beside the tensor answer, and one request example per model, named for it,
/// that answers when tried in Swagger UI (<see cref="AttendRequestExamples"/>: the default model first).
/// </summary>
internal static class TextRequestOpenApi
{
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

    /// <summary>A request example per model, and the text answer as the 200's other form.</summary>
    public sealed class OperationFilter(ModelRegistry registry, IOptions<AttentionOptions> options) : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.RelativePath != "attend") return;
            if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true && body is OpenApiMediaType media)
                media.Examples = AttendRequestExamples.For(registry, options.Value).ToDictionary(
                    example => example.Model, IOpenApiExample (example) => new OpenApiExample { Summary = example.Summary, Value = example.Request });
            var text = context.SchemaGenerator.GenerateSchema(typeof(Contracts.TextResponse), context.SchemaRepository);
            context.SchemaGenerator.GenerateSchema(typeof(Contracts.Decoding), context.SchemaRepository);
            if (context.SchemaRepository.Schemas.TryGetValue(nameof(Contracts.TextResponse), out var answer) && answer is OpenApiSchema textAnswer
                && context.SchemaRepository.Schemas.TryGetValue(nameof(Contracts.Decoding), out var one) && one is OpenApiSchema oneDecoding)
            {
                // The wire form: a single source's decoding is written beside model and backend; a batch's under results.
                textAnswer.Properties?.Remove("batched");
                // What the request's include asked for shapes the answer; it is not a field of it.
                textAnswer.Properties?.Remove("include");
                foreach (var (name, property) in oneDecoding.Properties ?? new Dictionary<string, IOpenApiSchema>())
                    textAnswer.Properties?.TryAdd(name, property);
                // model and backend come with every text answer; the rest with one form or the other.
                textAnswer.Required = new HashSet<string> { "model", "backend" };
                textAnswer.Description = "The answer to text: for source, one decoding's fields (sourceTokens, outputTokens, output, stop, context, weights) " +
                                         "beside model and backend; for sources, results, one decoding per source.";
            }
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var okMedia) == true
                && okMedia is OpenApiMediaType answerMedia && answerMedia.Schema is { } tensorAnswer)
                answerMedia.Schema = new OpenApiSchema { OneOf = [tensorAnswer, text], Description = "The tensor answer, or the text answer of a seq2seq model." };
        }
    }
}
