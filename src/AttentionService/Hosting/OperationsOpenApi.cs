using System.Text.Json.Nodes;
using AttentionService.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AttentionService.Hosting;

/// <summary>
/// <c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c> in the OpenAPI document. They are not minimal-API
/// handlers (health checks and prometheus-net's exporter are middleware endpoints), so the API explorer does not see
/// them; they are described here as they answer. <c>/metrics</c> is left out when <c>Attention:Exposure:Metrics</c> is
/// <c>Off</c>, and said to be on the management port when it is <c>Management</c>.
/// </summary>
internal sealed class OperationsOpenApi(IOptions<AttentionOptions> options) : IDocumentFilter
{
    public const string HealthReportSchema = "HealthReport";

    /// <summary>The Prometheus text format, as prometheus-net sends it.</summary>
    public const string MetricsMediaType = "text/plain";

    private const string Tag = "Operations";

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[HealthReportSchema] = HealthReport();
        document.Paths ??= new OpenApiPaths();
        document.Paths["/health/live"] = Get("HealthLive", "Liveness: 200 while the process answers",
            "For a liveness probe: runs no check, so `checks` is empty.", document,
            new() { ["200"] = Health("The process answers.", document) });
        document.Paths["/health/ready"] = Get("HealthReady", "Readiness: whether the models can serve",
            "200 `Healthy` when every model serves; 200 `Degraded` naming the models that cannot, under `checks.models.unavailable` " +
            "(the default model still serves); 503 `Unhealthy` when the default model cannot serve, or while the service drains on SIGTERM.",
            document, new()
            {
                ["200"] = Health("Healthy or Degraded: the service takes requests.", document),
                ["503"] = Health("Unhealthy: the default model cannot serve, or the service is draining.", document),
            });
        var metrics = options.Value.Exposure.Metrics;
        if (metrics == FeatureExposure.Off) return;
        document.Paths["/metrics"] = Get("Metrics", "Prometheus metrics",
            "The Prometheus text format (0.0.4): the service's own families (`attention_*`: inferences, durations, fallbacks, per-model " +
            "request and answer sizes and errors by status), HTTP (`http_*`), process, GC and thread pool; every family is listed in " +
            "docs/metrics.md." + (metrics == FeatureExposure.Management
                ? $" Served only on the management port ({options.Value.Exposure.ManagementPort}, Attention:Exposure:ManagementPort); 404 on the public port."
                : ""),
            document, new()
            {
                ["200"] = new OpenApiResponse
                {
                    Description = "The metrics.",
                    Content = new Dictionary<string, IOpenApiMediaType>
                    {
                        [MetricsMediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    },
                },
            });
    }

    private static OpenApiPathItem Get(string id, string summary, string description, OpenApiDocument document, OpenApiResponses responses) => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Get] = new()
            {
                OperationId = id,
                Summary = summary,
                Description = description,
                Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
                Responses = responses,
            },
        },
    };

    private static OpenApiResponse Health(string description, OpenApiDocument document) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>
        {
            ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(HealthReportSchema, document) },
        },
    };

    private static OpenApiSchema HealthReport()
    {
        var status = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [.. new[] { "Healthy", "Degraded", "Unhealthy" }.Select(s => (JsonNode)s)],
        };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "checks" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = status,
                ["checks"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Each check by name (readiness runs `models` and `backends`), with its status, what it found and what cannot serve and why.",
                    AdditionalProperties = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "status", "description", "unavailable" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["status"] = status,
                            ["description"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                            ["unavailable"] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object,
                                Description = "What cannot serve, or (in `backends`) does not run as configured: a model's or a backend's name, and why.",
                                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String },
                            },
                        },
                    },
                },
            },
        };
    }
}
