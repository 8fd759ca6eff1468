using System.Reflection;
using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Contracts.OpenInference;
using AttentionService.Inference;
using Microsoft.Extensions.Options;

namespace AttentionService.Http;

/// <summary>
/// The body of an Open Inference Protocol infer request, bound at the edge as <see cref="AttendBody"/> is: read within
/// <c>Attention:Limits:MaxBodyBytes</c>, reserved in the memory budget as it arrives, parsed. JSON, or JSON followed by
/// binary tensor data (<c>application/octet-stream</c> with <c>Inference-Header-Content-Length</c>).
/// </summary>
public sealed class InferBody
{
    private InferBody(InferRequest? request, InferenceError? error, MemoryReservation? reservation = null)
    {
        Request = request;
        Error = error;
        Reservation = reservation;
    }

    public InferRequest? Request { get; }

    public MemoryReservation? Reservation { get; }

    public InferenceError? Error { get; }

    public static async ValueTask<InferBody> BindAsync(HttpContext http, ParameterInfo parameter)
    {
        var request = http.Request;
        if (ContentTypeError(request) is { } unsupported) return new(null, unsupported);
        var limits = http.RequestServices.GetRequiredService<IOptions<AttentionOptions>>().Value.Limits;
        var reservation = new MemoryReservation(http.RequestServices.GetRequiredService<MemoryBudget>());
        http.Response.RegisterForDispose(reservation);
        try
        {
            var (parsed, error) = await InferRequestReader.ReadAsync(request, limits, http.RequestAborted, reservation.ReserveBody);
            if (parsed is not null) reservation.SettleBody(parsed.TensorBytes);
            return new(parsed, error, reservation);
        }
        catch (OutOfMemoryException)
        {
            return new(null, InferenceError.Overloaded(InferenceRunner.ShortOfMemory), reservation);
        }
        finally
        {
            ModelTraffic.SetReadBytes(http, reservation.BodyBytes);
        }
    }

    /// <summary>JSON; or, with the binary extension's header, raw bytes after it; compressed bodies are refused as on /attend.</summary>
    private static InferenceError? ContentTypeError(HttpRequest request)
    {
        if (request.Headers.ContentEncoding is { Count: > 0 } encoding && encoding.ToString() != "identity")
            return InferenceError.UnsupportedMediaType($"Content-Encoding '{ClientText.Shorten(encoding.ToString())}' is not supported; send the body uncompressed");
        var binary = request.Headers.ContainsKey(InferRequestReader.HeaderLengthHeader);
        if (request.ContentType is null || request.HasJsonContentType()) return null;
        if (binary && request.ContentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase)) return null;
        return InferenceError.UnsupportedMediaType(
            $"send the body as application/json (or application/octet-stream with {InferRequestReader.HeaderLengthHeader}), not '{ClientText.Shorten(request.ContentType)}'");
    }
}
