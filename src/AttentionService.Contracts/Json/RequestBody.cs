using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AttentionService.Contracts.Json;

/// <summary>
/// Reads a request body from the pipe within <see cref="RequestLimits.MaxBodyBytes"/>, reserving it in the memory
/// budget as it arrives, and hands the complete body to a parser: the one body reader of /attend and /v2 infer.
/// </summary>
public static class RequestBody
{
    /// <summary>
    /// Reads the whole body from <paramref name="request"/>'s pipe (refusing it once it passes
    /// <see cref="RequestLimits.MaxBodyBytes"/>) and parses it with <paramref name="parse"/> (or answers <paramref name="refused"/>); the body is held as one sequence, never copied whole.
    /// </summary>
    public static async ValueTask<T> ReadAsync<T>(HttpRequest request, RequestLimits limits,
        CancellationToken cancellationToken, BodyReservation? reserve, Func<ReadOnlySequence<byte>, T> parse, Func<InferenceError, T> refused)
    {
        if (request.ContentLength > limits.MaxBodyBytes)
            return refused(TooLarge(request.ContentLength.Value, limits));
        // A declared length is reserved whole before anything is read; a chunked body as it grows.
        if (request.ContentLength is { } declared && reserve?.Invoke(declared) is { } noRoom)
            return refused(noRoom);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = limits.MaxBodyBytes;

        var body = request.BodyReader;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await body.ReadAsync(cancellationToken);
            }
            catch (Exception e) when (e is BadHttpRequestException or IOException && !ClientHangUp.Is(e, cancellationToken))
            {
                // Kestrel refused the body (too large, too slow, malformed chunking; a chunk size that overflows comes
                // as an IOException): the client's fault, answered with the status it earned. A hang-up propagates.
                return refused(BodyRefused(e, limits));
            }
            var buffer = read.Buffer;
            if (buffer.Length > limits.MaxBodyBytes)
            {
                body.AdvanceTo(buffer.End);
                return refused(TooLarge(buffer.Length, limits));
            }
            if (request.ContentLength is null && reserve?.Invoke(buffer.Length) is { } noRoomToGrow)
            {
                body.AdvanceTo(buffer.End);
                return refused(noRoomToGrow);
            }
            if (read.IsCompleted)
            {
                try
                {
                    return parse(buffer);
                }
                finally
                {
                    body.AdvanceTo(buffer.End);
                }
            }
            // Keep everything until the body is complete: the parser reads it as one sequence, without copying.
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static InferenceError BodyRefused(Exception refused, RequestLimits limits) => (refused as BadHttpRequestException)?.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => TooLarge(null, limits),
        StatusCodes.Status408RequestTimeout => InferenceError.BodyTooSlow(
            "the request body arrived more slowly than Attention:Connections:MinRequestBytesPerSecond allows"),
        _ => InferenceError.BadRequest($"the request body is malformed: {ClientText.Escape(refused.Message)}"),
    };

    private static InferenceError TooLarge(long? bytes, RequestLimits limits) => InferenceError.TooLarge(
        $"the body {(bytes is { } n ? $"has {n} bytes" : "is larger than the limit")}; the limit is {limits.MaxBodyBytes} bytes (Attention:Limits:MaxBodyBytes)");
}
