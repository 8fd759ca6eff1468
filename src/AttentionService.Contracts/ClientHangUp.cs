using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace AttentionService.Contracts;

/// <summary>
/// Whether an exception from reading a request or writing its answer means the client went away. Kestrel says so in
/// several ways: a cancellation or I/O error once the request's token has fired, a reset, or a body that ended before
/// its Content-Length or last chunk because the client closed its side (Kestrel then closes the connection without an
/// answer, but may throw before the request's token has fired).
/// </summary>
public static class ClientHangUp
{
    /// <summary>
    /// Kestrel's message for <c>RequestRejectionReason.UnexpectedEndOfRequestContent</c>, whose reason code is internal;
    /// the one <see cref="BadHttpRequestException"/> that means the client closed its side rather than sent bad data.
    /// </summary>
    private const string UnexpectedEnd = "Unexpected end of request content";

    public static bool Is(Exception exception, CancellationToken requestAborted) => exception switch
    {
        ConnectionResetException => true,
        BadHttpRequestException refused => requestAborted.IsCancellationRequested
            || refused.Message.StartsWith(UnexpectedEnd, StringComparison.Ordinal),
        OperationCanceledException or IOException => requestAborted.IsCancellationRequested,
        _ => false,
    };
}
