using AttentionService.Contracts;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Diagnostics;

namespace AttentionService.Hosting;

/// <summary>
/// Exceptions that are the client's doing, answered as such instead of 500: a body Kestrel refused (malformed chunking,
/// a body shorter than its Content-Length, too slow, too large: <see cref="BadHttpRequestException"/>) gets its
/// 400/408/413 as problem details while nothing has been sent yet; a client that hung up (its work is stopped: the
/// backends honour the request's token) gets <see cref="ClientClosedRequest"/> in the log and "aborted" in the metrics.
/// Nothing here is logged with a stack trace: the request's own log line says what happened.
/// <see cref="ClientFaultExtensions.UseClientFaults"/> applies it inside the request log and the metrics, so they see the status and not an
/// exception; registered as an <see cref="IExceptionHandler"/> too, for what is thrown outside that.
/// </summary>
public sealed class ClientFaultHandler(IProblemDetailsService problems) : IExceptionHandler
{
    /// <summary>nginx's "client closed request", recorded in logs only (the metrics say "aborted").</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>Whether <paramref name="exception"/> is the client's doing on <paramref name="http"/>.</summary>
    public static bool IsClientFault(HttpContext http, Exception exception) =>
        exception is BadHttpRequestException || ClientHangUp.Is(exception, http.RequestAborted);

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsClientFault(http, exception)) return false;
        if (ClientHangUp.Is(exception, http.RequestAborted))
        {
            if (!http.Response.HasStarted)
            {
                http.Response.StatusCode = ClientClosedRequest;
            }
            // A body cut short by a half-close leaves Kestrel's read of the connection pending; asked to close, Kestrel
            // does not try to read a next request there (which fails, logged as a warning with a stack trace).
            http.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
            AbortedResponse.Abort(http);
            return true;
        }
        var refused = (BadHttpRequestException)exception;
        if (http.Response.HasStarted)
        {
            // The answer has begun and cannot be replaced: end the connection, so it is not taken for complete.
            AbortedResponse.Abort(http);
            return true;
        }
        http.Response.StatusCode = refused.StatusCode;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = refused.StatusCode, Title = Title(refused.StatusCode), Detail = Detail(refused) },
        });
        return true;
    }

    private static string Title(int status) => status switch
    {
        StatusCodes.Status408RequestTimeout => "Request body too slow",
        StatusCodes.Status413PayloadTooLarge => "Request too large",
        _ => "Malformed request",
    };

    /// <summary>Kestrel's reason ("Bad chunk size data."), which names the fault and never repeats what the client sent.</summary>
    private static string Detail(BadHttpRequestException refused) => refused.StatusCode switch
    {
        StatusCodes.Status408RequestTimeout =>
            "the request body arrived more slowly than Attention:Connections:MinRequestBytesPerSecond allows",
        _ => $"the request was refused: {ClientText.Escape(refused.Message)}",
    };
}

public static class ClientFaultExtensions
{
    /// <summary>
    /// Answers the client's faults (<see cref="ClientFaultHandler"/>) where they are thrown, inside the request log and
    /// the metrics, so neither records them as a 500 with a stack trace.
    /// </summary>
    public static WebApplication UseClientFaults(this WebApplication app)
    {
        var handler = ActivatorUtilities.CreateInstance<ClientFaultHandler>(app.Services);
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (Exception e) when (ClientFaultHandler.IsClientFault(http, e))
            {
                if (!http.Response.HasStarted) http.Response.Clear();
                await handler.TryHandleAsync(http, e, http.RequestAborted);
            }
        });
        return app;
    }
}
