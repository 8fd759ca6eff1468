using AttentionService.Contracts;
using AttentionService.Hosting;
using Microsoft.AspNetCore.Http;

namespace AttentionService.Tests.Hosting;

/// <summary>The <c>code</c> label is what the client got: the status, 500 for an exception caught further out, or aborted.</summary>
public sealed class HttpMetricsCodeTests
{
    [Fact]
    public void ACompletedResponseIsCountedWithItsStatus()
    {
        var http = new DefaultHttpContext { Response = { StatusCode = 413 } };

        Assert.Equal("413", HttpMetricsMiddleware.Code(http, exceptionEscaped: false));
    }

    [Fact]
    public void AnExceptionBeforeTheResponseStartedIsCountedAs500NotTheStatusSetSoFar()
    {
        var http = new DefaultHttpContext { Response = { StatusCode = 200 } };

        Assert.Equal("500", HttpMetricsMiddleware.Code(http, exceptionEscaped: true));
    }

    [Fact]
    public void AnAbortedResponseIsCountedAsAbortedWhateverItsStatus()
    {
        var http = new DefaultHttpContext { Response = { StatusCode = 200 } };

        AbortedResponse.Abort(http);

        Assert.Equal(HttpMetricsMiddleware.Aborted, HttpMetricsMiddleware.Code(http, exceptionEscaped: false));
    }
}
