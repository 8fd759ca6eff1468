using System.Text.Json;
using AttentionService.Contracts.OpenInference;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

/// <summary>
/// Under /v2 every error the framework answers itself (an unknown route, a wrong method, an unexpected failure) is
/// written in the Open Inference Protocol's form, <c>{"error": "..."}</c>, with the detail problem details would carry.
/// </summary>
public sealed class OpenInferenceErrorWriter(IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public static readonly PathString Prefix = "/v2";

    public bool CanWrite(ProblemDetailsContext context) => context.HttpContext.Request.Path.StartsWithSegments(Prefix);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        options.Value.CustomizeProblemDetails?.Invoke(context);
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var error = problem.Detail ?? problem.Title ?? ReasonPhrases.GetReasonPhrase(status);
        var response = context.HttpContext.Response;
        response.ContentType = "application/json";
        return new ValueTask(JsonSerializer.SerializeAsync(response.Body, new ErrorResponse(error), ErrorJson.Default.ErrorResponse, response.HttpContext.RequestAborted));
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class ErrorJson : System.Text.Json.Serialization.JsonSerializerContext;
