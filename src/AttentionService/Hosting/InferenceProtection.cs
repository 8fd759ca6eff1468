using AttentionService.Configuration;
using AttentionService.Http;
using AttentionService.Inference;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

/// <summary>
/// What keeps inference from taking the service down under load: the <see cref="InferenceGate"/> (bounded concurrent
/// runs with a short queue, 503 + Retry-After past it) and a per-request timeout that stops the work and answers 503.
/// </summary>
public static class InferenceProtection
{
    public static IServiceCollection AddInferenceProtection(this IServiceCollection services)
    {
        services.AddSingleton<InferenceGate>();

        services.AddRequestTimeouts(_ => { });
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<AttentionOptions>>((timeouts, attention) =>
        {
            var seconds = attention.Value.RequestTimeoutSeconds;
            timeouts.AddPolicy(AttendApi.TimeoutPolicy, new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(seconds),
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = http => WriteProblemAsync(http, attention.Value.Concurrency.RetryAfterSeconds, "Timed out",
                    $"the request took longer than {seconds} s (Attention:RequestTimeoutSeconds) and was stopped").AsTask(),
            });
        });
        return services;
    }

    private static async ValueTask WriteProblemAsync(HttpContext http, int retryAfterSeconds, string title, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString();
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = title, Detail = detail },
        });
    }
}
