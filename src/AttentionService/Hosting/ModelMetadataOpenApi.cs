using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AttentionService.Hosting;

/// <summary>
/// <c>GET /models</c>' model metadata as the service writes it: <c>forms</c> always present; <c>binding</c>,
/// <c>reloadError</c> and <c>seq2seq</c> written as <c>null</c> when the model has none, which a bare <c>$ref</c> would
/// not allow.
/// </summary>
internal sealed class ModelMetadataOpenApi : ISchemaFilter
{
    private static readonly string[] NullObjects = ["binding", "reloadError", "seq2seq"];

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type != typeof(Contracts.ModelMetadata) || schema is not OpenApiSchema metadata || metadata.Properties is null) return;
        if (metadata.Properties.TryGetValue("forms", out var forms) && forms is OpenApiSchema alwaysThere && alwaysThere.Type is { } type)
        {
            alwaysThere.Type = type & ~JsonSchemaType.Null;
            metadata.Required ??= new HashSet<string>();
            metadata.Required.Add("forms");
        }
        foreach (var name in NullObjects)
            if (metadata.Properties.TryGetValue(name, out var property) && property is OpenApiSchemaReference reference)
                metadata.Properties[name] = new OpenApiSchema { OneOf = [reference], Type = JsonSchemaType.Null };
    }
}
