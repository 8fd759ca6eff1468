using System.Reflection;
using System.Text.Json.Nodes;
using AttentionService.Configuration;
using AttentionService.Core.Tensors;
using Microsoft.Extensions.Options;
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
            // A field is nullable where its C# type says so (string?, int?), not every reference type; and a non-nullable
            // one is required: the answers always carry it.
            swagger.SupportNonNullableReferenceTypes();
            swagger.NonNullableReferenceTypesAsRequired();
            // Tensors cross the wire as nested arrays of numbers: a request's rank 2 or 3 (batch axis optional); an
            // answer's up to rank 4 (a multi-head model's weights [batch][heads][tq][tv]). The mask is set apart (booleans).
            swagger.MapType<Tensor<float>>(() => TensorSchema(2, 3));
            swagger.MapType<TensorView<float>>(() => TensorSchema(2, 4));
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
            swagger.SchemaFilter<ModelMetadataOpenApi>();
            swagger.DocumentFilter<ExplorerLinkDocumentFilter>();
            swagger.DocumentFilter<OperationsOpenApi>();
            swagger.SchemaFilter<TextRequestOpenApi.RequestSchemaFilter>();
            swagger.OperationFilter<TextRequestOpenApi.OperationFilter>();
            swagger.SchemaFilter<AttendWireOpenApi.SchemaFilter>();
            swagger.OperationFilter<AttendWireOpenApi.OperationFilter>();
            swagger.OperationFilter<AttendErrorExamples.OperationFilter>();
        });
        return services;
    }

    private static OpenApiSchema TensorSchema(int minRank, int maxRank)
    {
        var schema = AttendWireOpenApi.Nested(JsonSchemaType.Number, minRank, maxRank);
        schema.Description = $"A tensor as nested arrays of numbers, rank {minRank} to {maxRank} (a leading batch axis optional).";
        return schema;
    }

    /// <summary>The deepest typed tensor the document describes; a generated client cannot type an unbounded nesting.</summary>
    public const int MaxTypedRank = 8;

    private static OpenApiSchema TypedTensorSchema()
    {
        var schema = TypedNested(MaxTypedRank);
        schema.Description = $"A tensor as nested arrays in its graph tensor's rank (1 to {MaxTypedRank}): numbers (FP32), integers (INT64) or booleans (BOOL).";
        return schema;
    }

    /// <summary>An array whose items are numbers or booleans, or such arrays, down to <paramref name="rank"/> levels.</summary>
    private static OpenApiSchema TypedNested(int rank) => new()
    {
        Type = JsonSchemaType.Array,
        Items = new OpenApiSchema
        {
            OneOf = rank == 1
                ? [new OpenApiSchema { Type = JsonSchemaType.Number }, new OpenApiSchema { Type = JsonSchemaType.Boolean }]
                : [new OpenApiSchema { Type = JsonSchemaType.Number }, new OpenApiSchema { Type = JsonSchemaType.Boolean }, TypedNested(rank - 1)],
        },
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

    /// <summary>
    /// Points to the attention explorer where it is served at all. The link is relative to Swagger UI's page
    /// (/swagger/index.html), so it keeps a reverse proxy's path prefix.
    /// </summary>
    private sealed class ExplorerLinkDocumentFilter(IOptions<AttentionOptions> options) : IDocumentFilter
    {
        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            if (options.Value.Exposure.Explorer == FeatureExposure.Off || document.Info is null) return;
            document.Info.Description += $"\n\nThe [attention explorer](..{ExplorerExtensions.PathPrefix}) draws a model's attention weights " +
                                         "as a heatmap: type a date for the seq2seq model `dates`, or paste or generate tensors for a layer model.";
        }
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
