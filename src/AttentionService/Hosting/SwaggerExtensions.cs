using System.Reflection;
using System.Text.Json.Nodes;
using AttentionService.Core.Tensors;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AttentionService.Hosting;

public static class SwaggerExtensions
{
    /// <summary>Where Swagger UI and the OpenAPI document are served.</summary>
    public const string PathPrefix = "/swagger";

    public const string DocumentPath = PathPrefix + "/v1/swagger.json";

    public static IServiceCollection AddAttentionSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "AttentionService",
                Version = "v1",
                Description = "Serves attention (seq2seq) models stored as ONNX graphs and returns both the context vectors and " +
                              "the attention weights. Each model runs on ONNX Runtime or on the managed C# operator path with the same numbers.",
            });
            // The host's handlers and the wire contract's fields, each described by its own XML comments.
            foreach (var assembly in new[] { Assembly.GetExecutingAssembly(), typeof(Contracts.AttendRequest).Assembly })
            {
                var xml = Path.Combine(AppContext.BaseDirectory, $"{assembly.GetName().Name}.xml");
                if (File.Exists(xml)) swagger.IncludeXmlComments(xml);
            }
            // Tensors cross the wire as nested arrays of numbers, whatever their rank.
            swagger.MapType<Tensor<float>>(TensorSchema);
            swagger.MapType<TensorView<float>>(TensorSchema);
            // Extra inputs and outputs may hold integers (INT64) or booleans (BOOL) as their graph tensor does.
            swagger.MapType<Contracts.JsonTensor>(TypedTensorSchema);
            swagger.MapType<TensorView>(TypedTensorSchema);
            // The answer options go by their wire names, as the reader takes them.
            swagger.MapType<Contracts.AttentionHeads>(() => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. Contracts.Json.LayerOptionsReader.HeadsNames.Select(n => (JsonNode)n)],
                Default = Contracts.Json.LayerOptionsReader.HeadsNames[0],
                Description = "Weights per head (each) or averaged over the heads (average); any case.",
            });
            swagger.MapType<Contracts.AnswerParts>(() => new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. Contracts.Json.LayerOptionsReader.PartNames.Select(n => (JsonNode)n)] },
                UniqueItems = true,
                MinItems = 1,
                Default = new JsonArray([.. Contracts.Json.LayerOptionsReader.PartNames.Select(n => (JsonNode)n)]),
                Description = "The parts of the answer to write, each named once; default both.",
            });
            swagger.SchemaFilter<AttendExampleSchemaFilter>();
            swagger.SchemaFilter<TextRequestOpenApi.RequestSchemaFilter>();
            swagger.OperationFilter<TextRequestOpenApi.OperationFilter>();
        });
        return services;
    }

    private static OpenApiSchema TensorSchema() => new()
    {
        Type = JsonSchemaType.Array,
        Description = "A tensor as nested arrays of numbers (rank 2, or rank 3 with a leading batch axis).",
        Items = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Array } },
    };

    private static OpenApiSchema TypedTensorSchema() => new()
    {
        Type = JsonSchemaType.Array,
        Description = "A tensor as nested arrays in its graph tensor's rank: numbers (FP32), integers (INT64) or booleans (BOOL).",
        Items = new OpenApiSchema(),
    };

    public static WebApplication UseAttentionSwagger(this WebApplication app)
    {
        // Only under /swagger: the middleware resolves a document generator on every request it sees.
        app.UseWhen(http => http.Request.Path.StartsWithSegments(PathPrefix), swagger => swagger.UseSwagger());
        app.UseSwaggerUI(ui =>
        {
            ui.SwaggerEndpoint(DocumentPath, "AttentionService v1");
            ui.DocumentTitle = "AttentionService";
        });
        return app;
    }

    /// <summary>Gives the request body a working example, so "Try it out" in Swagger UI answers at once.</summary>
    private sealed class AttendExampleSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (context.Type == typeof(Contracts.AttendRequest) && schema is OpenApiSchema concrete)
            {
                concrete.Examples = [JsonNode.Parse("""
                    {
                      "model": "luong-dot",
                      "query": [[1, 0, 1, 0], [0, 1, 0, 1]],
                      "values": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
                    }
                    """)!];
            }
        }
    }
}
