using System.Reflection;
using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Contracts.Json;
using AttentionService.Inference;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AttentionService.Http;

/// <summary>
/// The /attend body, bound at the edge before the handler runs: JSON in UTF-8, read from the request pipe within
/// <c>Attention:Limits:MaxBodyBytes</c> and parsed, its bytes reserved in the memory budget as they arrive. One of
/// <see cref="Request"/> (tensors, owned by the handler), <see cref="Text"/> (text, for a seq2seq model) or
/// <see cref="Error"/> is set.
/// </summary>
public sealed class AttendBody
{
    private AttendBody(AttendRequest? request, InferenceError? error, MemoryReservation? reservation = null, TextRequest? text = null)
    {
        Request = request;
        Error = error;
        Reservation = reservation;
        Text = text;
    }

    public AttendRequest? Request { get; }

    /// <summary>The text form of the request (<c>source</c> or <c>sources</c>).</summary>
    public TextRequest? Text { get; }

    /// <summary>What the request holds of the memory budget (its body so far), released when the response ends.</summary>
    public MemoryReservation? Reservation { get; }

    public InferenceError? Error { get; }

    /// <summary>Minimal APIs' custom binding: called for the handler's <see cref="AttendBody"/> parameter.</summary>
    public static async ValueTask<AttendBody> BindAsync(HttpContext http, ParameterInfo parameter)
    {
        var request = http.Request;
        if ((ContentTypeError(request) ?? ContentEncodingError(request)) is { } unsupported) return new(null, unsupported);

        var limits = http.RequestServices.GetRequiredService<IOptions<AttentionOptions>>().Value.Limits;
        var reservation = new MemoryReservation(http.RequestServices.GetRequiredService<MemoryBudget>());
        http.Response.RegisterForDispose(reservation);
        try
        {
            var parsed = await AttendRequestReader.ReadAsync(request, limits, http.RequestAborted, reservation.ReserveBody);
            if (parsed.Request is not null) reservation.SettleBody(ParsedBytes(parsed.Request));
            if (parsed.Text is not null) reservation.SettleBody(parsed.Text.Bytes);
            return new(parsed.Request, parsed.Error, reservation, parsed.Text);
        }
        catch (OutOfMemoryException)
        {
            // The budget should prevent this; if the process is short of memory anyway, the client may retry.
            return new(null, InferenceError.Overloaded(InferenceRunner.ShortOfMemory), reservation);
        }
        finally
        {
            ModelTraffic.SetReadBytes(http, reservation.BodyBytes);
        }
    }

    /// <summary>Bytes the parsed request holds: its role tensors, the JSON of its extra inputs and its labels.</summary>
    private static long ParsedBytes(AttendRequest request)
    {
        long bytes = sizeof(float) * ((long)request.Query.Length + (request.Keys?.Length ?? 0) + request.Values.Length + (request.Mask?.Length ?? 0));
        foreach (var input in request.Inputs?.Values ?? []) bytes += input.JsonBytes;
        return bytes + (request.Tokens?.Bytes() ?? 0);
    }

    /// <summary>
    /// Why the body's content coding is not accepted, or null: bodies come uncompressed. Without this check a gzip body
    /// was parsed as if it were JSON text; decompressing it would let a few KB on the wire expand past every limit.
    /// </summary>
    private static InferenceError? ContentEncodingError(HttpRequest request)
    {
        var encoding = request.Headers.ContentEncoding;
        if (encoding.Count == 0 || (encoding.Count == 1 && string.Equals(encoding[0], "identity", StringComparison.OrdinalIgnoreCase)))
            return null;
        return InferenceError.UnsupportedMediaType(
            $"Content-Encoding '{ClientText.Shorten(encoding.ToString())}' is not supported; send the body uncompressed");
    }

    /// <summary>Why the body's content type is not JSON in UTF-8, or null; the two usual spellings are matched without parsing.</summary>
    private static InferenceError? ContentTypeError(HttpRequest request)
    {
        var contentType = request.ContentType;
        if (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
            || string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase))
            return null;
        if (!request.HasJsonContentType())
            return InferenceError.UnsupportedMediaType($"send the body as application/json, not '{contentType ?? "no content type"}'");
        if (MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            && mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return InferenceError.UnsupportedMediaType($"send the JSON as UTF-8; charset '{mediaType.Charset}' is not supported");
        return null;
    }
}
