using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AttentionService.Hosting;

/// <summary>
/// The errors of <c>POST /attend</c> in the OpenAPI document as the service answers them (a test sends each mistake and
/// compares), instead of a sample drawn from the problem schema; and the headers that go with them: <c>Retry-After</c>
/// on 503, <c>Allow</c> on 405. The service never answers 429: a full queue is a 503.
/// </summary>
internal static class AttendErrorExamples
{
    /// <summary>Status → (what the client did, the problem it gets without its per-request <c>traceId</c>).</summary>
    public static readonly IReadOnlyDictionary<string, (string Summary, string Problem)> Examples = new Dictionary<string, (string, string)>
    {
        ["400"] = ("A values row shorter than the others: {\"query\": [[1, 0]], \"values\": [[1, 0], [0]]}", """
            {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Malformed request", "status": 400, "detail": "values[1] has 1 number, expected 2"}
            """),
        ["404"] = ("A model that is not in the repository: {\"model\": \"nope\", …}", """
            {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Model not found", "status": 404, "detail": "model 'nope' not found; models are bahdanau, dates, luong-dot, luong-general, multihead, scaled-dot"}
            """),
        ["405"] = ("GET /attend", """
            {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.6", "title": "Method Not Allowed", "status": 405, "detail": "GET is not allowed on /attend; allowed: POST"}
            """),
        ["413"] = ("A query of batch 100 (Attention:Limits:MaxBatch is 64)", """
            {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.14", "title": "Request too large", "status": 413, "detail": "query has batch = 100, the limit is 64 (Attention:Limits:MaxBatch)"}
            """),
        ["415"] = ("A body sent as text/plain", """
            {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.16", "title": "Unsupported Media Type", "status": 415, "detail": "send the body as application/json, not 'text/plain'"}
            """),
        ["422"] = ("A mask that leaves a query nothing to attend to: \"mask\": [false, false]", """
            {"type": "https://tools.ietf.org/html/rfc4918#section-11.2", "title": "Request cannot be served", "status": 422, "detail": "the mask leaves query position 0 nothing to attend to; every query needs at least one true position"}
            """),
        ["503"] = ("Every inference slot and the queue are full (here Attention:Concurrency:MaxConcurrentRuns 1, QueueLength 0)", """
            {"type": "https://tools.ietf.org/html/rfc9110#section-15.6.4", "title": "Overloaded", "status": 503, "detail": "1 inferences are running and 0 waiting (Attention:Concurrency); retry after the Retry-After delay"}
            """),
    };

    public sealed class OperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.RelativePath != "attend" || operation.Responses is null) return;
            foreach (var (status, (summary, problem)) in Examples)
            {
                if (!operation.Responses.TryGetValue(status, out var response) || response is not OpenApiResponse concrete) continue;
                foreach (var media in concrete.Content?.Values.OfType<OpenApiMediaType>() ?? [])
                    media.Examples = new Dictionary<string, IOpenApiExample>
                    {
                        [status] = new OpenApiExample { Summary = summary, Value = JsonNode.Parse(problem) },
                    };
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                if (status == "503")
                    concrete.Headers[HeaderNames.RetryAfter] = new OpenApiHeader
                    {
                        Description = "Seconds to wait before retrying (Attention:Concurrency:RetryAfterSeconds). Sent with every 503.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                    };
                if (status == "405")
                    concrete.Headers[HeaderNames.Allow] = new OpenApiHeader
                    {
                        Description = "The methods the path takes: POST.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    };
            }
        }
    }
}
