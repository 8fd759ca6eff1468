using System.Net;
using AttentionService.Hosting;
using AttentionService.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace AttentionService.Tests.Hosting;

/// <summary>
/// The default text line of a request: model, backend and shapes for /attend, nothing extra (and no bare placeholder)
/// for anything else; readiness answering 503 during a drain is information, not an error.
/// </summary>
public sealed class RequestLogTests
{
    private static (AttentionServiceFactory Factory, CapturedLogEvents Events) Host(params (string Key, string Value)[] settings)
    {
        var events = new CapturedLogEvents();
        var factory = new AttentionServiceFactory
        {
            Settings = settings.ToDictionary(s => s.Key, s => (string?)s.Value),
            ConfigureTestServices = services => services.AddSingleton<ILogEventSink>(events),
        };
        return (factory, events);
    }

    [Fact]
    public async Task AnAttendLineNamesTheModelAndTheBackendThatAnswered()
    {
        var (factory, events) = Host();
        using var _ = factory;
        var response = await factory.CreateClient().PostAttendAsync(new { query = new[] { new[] { 1f, 0f } }, values = new[] { new[] { 1f, 0f }, new[] { 0f, 1f } }, backend = "managed" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = CapturedLogEvents.Text(await events.RequestAsync("POST", "/attend", 200));
        Assert.Matches(@"^HTTP POST /attend responded 200 in \d+\.\d{3} ms \(model luong-dot, backend managed", line);
        Assert.DoesNotContain("{", line);
    }

    [Theory]
    [InlineData("GET", "/health/live", 200)]
    [InlineData("GET", "/models", 200)]
    [InlineData("GET", "/nowhere", 404)]
    public async Task OtherRequestsLogTheirLineWithoutInferenceDetails(string method, string path, int status)
    {
        var (factory, events) = Host();
        using var _ = factory;
        await factory.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var line = CapturedLogEvents.Text(await events.RequestAsync(method, path, status));
        Assert.Matches($@"^HTTP {method} {path} responded {status} in \d+\.\d{{3}} ms$", line);
    }

    [Fact]
    public async Task AnAttendRequestRefusedBeforeAModelWasChosenLogsNoInferenceDetails()
    {
        var (factory, events) = Host();
        using var _ = factory;
        var response = await factory.CreateClient().PostRawAsync("{\"query\": [[1, 0]]", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var line = CapturedLogEvents.Text(await events.RequestAsync("POST", "/attend", 400));
        Assert.Matches(@"^HTTP POST /attend responded 400 in \d+\.\d{3} ms$", line);
    }

    [Fact]
    public void TheInferenceSummaryJoinsModelBackendAndShapes()
    {
        var logEvent = RequestEvent(("Model", "multihead"), ("Backend", "onnx"), ("Shapes", "query [1, 2, 64], values [1, 3, 64]"));

        new InferenceSummaryEnricher().Enrich(logEvent, null!);

        Assert.EndsWith(" ms (model multihead, backend onnx, query [1, 2, 64], values [1, 3, 64])", CapturedLogEvents.Text(logEvent));
    }

    [Fact]
    public async Task ReadinessAnswering503DuringADrainIsLoggedAsInformation()
    {
        var (factory, events) = Host(("Attention:ShutdownDrainSeconds", "2"));
        using var _ = factory;
        var client = factory.CreateClient();
        var lifetime = factory.Services.GetRequiredService<IHostApplicationLifetime>();

        // The drain callback holds the thread that stops the host for its 2 s; the request goes in meanwhile.
        var stopping = Task.Run(lifetime.StopApplication);
        await events.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Shutting down: readiness is now false"));
        var response = await client.GetAsync("/health/ready");
        await stopping;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(LogEventLevel.Information, (await events.RequestAsync("GET", "/health/ready", 503)).Level);
    }

    [Theory]
    [InlineData("/health/ready", 503, true, LogEventLevel.Information)]
    [InlineData("/health/ready", 503, false, LogEventLevel.Error)]
    [InlineData("/attend", 503, true, LogEventLevel.Error)]
    [InlineData("/attend", 500, false, LogEventLevel.Error)]
    [InlineData("/attend", 499, false, LogEventLevel.Information)]
    [InlineData("/attend", 400, false, LogEventLevel.Information)]
    public void RequestLevelIsErrorForServerFailuresExceptReadinessDuringADrain(string path, int status, bool draining, LogEventLevel expected)
    {
        var http = new DefaultHttpContext { Request = { Path = path }, Response = { StatusCode = status } };

        Assert.Equal(expected, LoggingExtensions.RequestLevel(http, null, draining));
    }

    [Fact]
    public void A503AskingTheClientToRetryIsAWarning()
    {
        var http = new DefaultHttpContext { Request = { Path = "/attend" }, Response = { StatusCode = 503, Headers = { RetryAfter = "1" } } };

        Assert.Equal(LogEventLevel.Warning, LoggingExtensions.RequestLevel(http, null, draining: false));
    }

    [Fact]
    public void AnExceptionIsAnErrorWhateverTheStatus()
    {
        var http = new DefaultHttpContext { Request = { Path = "/attend" }, Response = { StatusCode = 503, Headers = { RetryAfter = "1" } } };

        Assert.Equal(LogEventLevel.Error, LoggingExtensions.RequestLevel(http, new InvalidOperationException(), draining: false));
    }

    private static LogEvent RequestEvent(params (string Name, string Value)[] properties) => new(
        DateTimeOffset.Now, LogEventLevel.Information, null, new MessageTemplateParser().Parse(LoggingExtensions.RequestTemplate),
        [
            new LogEventProperty("RequestMethod", new ScalarValue("POST")),
            new LogEventProperty("RequestPath", new ScalarValue("/attend")),
            new LogEventProperty("StatusCode", new ScalarValue(200)),
            new LogEventProperty("Elapsed", new ScalarValue(1.5)),
            new LogEventProperty(LoggingExtensions.OutcomeProperty, new ScalarValue("")),
            .. properties.Select(p => new LogEventProperty(p.Name, new ScalarValue(p.Value))),
        ]);
}
