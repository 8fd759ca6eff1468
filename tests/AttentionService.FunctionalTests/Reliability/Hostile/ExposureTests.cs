using System.Net;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Attention:Exposure against the real process: Swagger and /metrics answer only where their setting says (public
/// port, management port, nowhere), a request on the public port cannot reach the management features by naming the
/// management port in its Host header, and the management port is added to --urls rather than replacing it.
/// </summary>
public sealed class ExposureTests
{
    private const string Swagger = "/swagger/index.html";
    private const string Document = "/swagger/v1/swagger.json";
    private const string Metrics = "/metrics";

    [Theory]
    // Setting values of Swagger and Metrics, then the status of Swagger UI, the document and /metrics on each port.
    [InlineData("Public", "Public", 200, 200, 200, 200)]
    [InlineData("Management", "Off", 404, 200, 404, 404)]
    [InlineData("Off", "Management", 404, 404, 404, 200)]
    public async Task EachFeatureAnswersOnlyWhereItsSettingSays(string swagger, string metrics,
        int swaggerPublic, int swaggerManagement, int metricsPublic, int metricsManagement)
    {
        var managementPort = ServiceProcess.FreePort();
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            $"--Attention:Exposure:Swagger={swagger}", $"--Attention:Exposure:Metrics={metrics}", $"--Attention:Exposure:ManagementPort={managementPort}");
        await service.WaitForOutputAsync($"Now listening on: http://127.0.0.1:{managementPort}", TimeSpan.FromSeconds(30));
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };

        await AssertStatusAsync(service.Client, Swagger, swaggerPublic);
        await AssertStatusAsync(service.Client, Document, swaggerPublic);
        await AssertStatusAsync(service.Client, Metrics, metricsPublic);
        await AssertStatusAsync(management, Swagger, swaggerManagement);
        await AssertStatusAsync(management, Document, swaggerManagement);
        await AssertStatusAsync(management, Metrics, metricsManagement);

        // The management port serves the rest too (Swagger UI's "Try it out" calls /attend on its own origin), and
        // health answers on both, so probes may use either.
        foreach (var client in new[] { service.Client, management })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/models")).StatusCode);
        }
        Assert.Contains("Management port http://127.0.0.1:" + managementPort, service.Output);
    }

    [Theory]
    [InlineData("Off")]
    [InlineData("Public")]
    public async Task WithoutAManagementPortAFeatureThatIsOffIs404AndTheRestIsServed(string metrics)
    {
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory, $"--Attention:Exposure:Metrics={metrics}", "--Attention:Exposure:Swagger=Off");

        await AssertStatusAsync(service.Client, Metrics, metrics == "Off" ? 404 : 200);
        await AssertStatusAsync(service.Client, Swagger, 404);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/models")).StatusCode);
        // With Swagger off, a 404 no longer points to it.
        var notFound = await service.Client.GetAsync("/nothing-here");
        await Problems.AssertProblemAsync(notFound, HttpStatusCode.NotFound, "no endpoint at /nothing-here");
        Assert.DoesNotContain("/swagger", await notFound.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("ASPNETCORE_URLS", "http://127.0.0.1:{0}")]
    [InlineData("ASPNETCORE_HTTP_PORTS", "{0}")]
    public async Task TheManagementPortIsAddedBesideAddressesFromTheEnvironment(string variable, string format)
    {
        var managementPort = ServiceProcess.FreePort();
        await using var service = await ServiceProcess.StartWithEnvironmentAsync(AppContext.BaseDirectory,
            port => new() { [variable] = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, port) },
            "--Attention:Exposure:Metrics=Management", $"--Attention:Exposure:ManagementPort={managementPort}");
        await service.WaitForOutputAsync($":{managementPort}", TimeSpan.FromSeconds(30));
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };

        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/models")).StatusCode);
        await AssertStatusAsync(service.Client, Metrics, 404);
        await AssertStatusAsync(management, Metrics, 200);
    }

    [Fact]
    public async Task WithKestrelEndpointsConfiguredTheManagementPortIsTheEndpointListedForIt()
    {
        var managementPort = ServiceProcess.FreePort();
        await using var service = await ServiceProcess.StartWithEnvironmentAsync(AppContext.BaseDirectory,
            port => new()
            {
                ["Kestrel__Endpoints__Public__Url"] = $"http://127.0.0.1:{port}",
                ["Kestrel__Endpoints__Management__Url"] = $"http://127.0.0.1:{managementPort}",
            },
            "--Attention:Exposure:Metrics=Management", $"--Attention:Exposure:ManagementPort={managementPort}");
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };

        await AssertStatusAsync(service.Client, Metrics, 404);
        await AssertStatusAsync(management, Metrics, 200);
        Assert.Contains($"Kestrel:Endpoints is configured, so Kestrel listens only on those endpoints: list port {managementPort} among them", service.Output);
    }

    [Fact]
    public async Task MetricsOnTheManagementPortCannotBeScrapedFromThePublicPortByNamingItInHost()
    {
        var managementPort = ServiceProcess.FreePort();
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            "--Attention:Exposure:Metrics=Management", "--Attention:Exposure:Swagger=Management", $"--Attention:Exposure:ManagementPort={managementPort}");
        await service.WaitForOutputAsync($"Now listening on: http://127.0.0.1:{managementPort}", TimeSpan.FromSeconds(30));
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };

        foreach (var path in new[] { Metrics, Swagger, "/METRICS", "/Swagger/index.html", "/metrics/", "/%6Detrics" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = $"127.0.0.1:{managementPort}";
            var response = await service.Client.SendAsync(request);
            await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "no endpoint at");
        }

        // The refusals are in the management port's metrics as 404s and in the request log.
        var scraped = await management.GetStringAsync(Metrics);
        Assert.Contains("code=\"404\"", scraped);
        Assert.Contains("HTTP GET /metrics responded 404", service.Output);
    }

    private static async Task AssertStatusAsync(HttpClient client, string path, int expected)
    {
        var response = await client.GetAsync(path);
        if (expected == 404)
            await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, $"no endpoint at {path}");
        else
            Assert.True(expected == (int)response.StatusCode, $"{client.BaseAddress}{path[1..]}: expected {expected}, got {(int)response.StatusCode}");
    }
}
