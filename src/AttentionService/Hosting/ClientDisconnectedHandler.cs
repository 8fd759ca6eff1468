using Microsoft.AspNetCore.Diagnostics;

namespace AttentionService.Hosting;

/// <summary>
/// A client that hangs up cancels its inference (the backends honour the request's token); that is not a server
/// error, so it is logged as information and nothing is written back.
/// </summary>
public sealed class ClientDisconnectedHandler(ILogger<ClientDisconnectedHandler> logger) : IExceptionHandler
{
    /// <summary>nginx's "client closed request", recorded in logs and metrics only.</summary>
    public const int ClientClosedRequest = 499;

    public ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
            return ValueTask.FromResult(false);
        logger.LogInformation("Client disconnected from {Method} {Path}; its work was stopped", http.Request.Method, http.Request.Path);
        http.Response.StatusCode = ClientClosedRequest;
        return ValueTask.FromResult(true);
    }
}
