using AttentionService.Contracts;

namespace AttentionService.Hosting;

public static class ProblemDetailsExtensions
{
    /// <summary>
    /// RFC 9457 problem details for every error, including the ones the framework answers itself (405, 415, 404 on
    /// unknown routes), each with a detail that says what to do; no exception text outside Development. Under /v2 they
    /// take the Open Inference Protocol's form (<see cref="OpenInferenceErrorWriter"/>).
    /// </summary>
    public static IServiceCollection AddAttentionProblemDetails(this IServiceCollection services) =>
        // The Open Inference Protocol's error form first: the first writer that can write an error writes it.
        services.AddSingleton<IProblemDetailsWriter, OpenInferenceErrorWriter>().AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var http = context.HttpContext;
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status405MethodNotAllowed =>
                    $"{ClientText.Shorten(http.Request.Method)} is not allowed on {ClientText.Shorten(http.Request.Path.Value ?? "")}; allowed: {http.Response.Headers.Allow}",
                StatusCodes.Status415UnsupportedMediaType =>
                    $"send the body as application/json, not '{ClientText.Shorten(http.Request.ContentType ?? "no content type")}'",
                StatusCodes.Status404NotFound => $"no endpoint at {ClientText.Shorten(http.Request.Path.Value ?? "")}{ExposureExtensions.SwaggerHint(http)}",
                _ => null,
            };
        });
}
