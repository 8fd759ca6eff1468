using AttentionService.Configuration;
using AttentionService.Hosting;
using AttentionService.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace AttentionService.Tests.Hosting;

/// <summary>
/// Attention:Exposure and Attention:Cors are checked at start: a combination that cannot work stops the service with
/// one line naming the key (as in <see cref="BadSettingTests"/>); and the public addresses the management port is
/// checked against and added beside are the ones the host resolves from --urls, ASPNETCORE_URLS or the port lists.
/// </summary>
public sealed class ExposureSettingTests
{
    public static TheoryData<string[], string> BadCombinations => new()
    {
        { ["--Attention:Exposure:Metrics=Management"],
          "Attention:Exposure:ManagementPort is 0 but Attention:Exposure:Metrics is Management; allowed: 1 to 65535" },
        { ["--Attention:Exposure:Swagger=Management", "--Attention:Exposure:Metrics=Management"],
          "Attention:Exposure:ManagementPort is 0 but Attention:Exposure:Swagger and Attention:Exposure:Metrics are Management" },
        { ["--urls=http://127.0.0.1:47123", "--Attention:Exposure:ManagementPort=47123"],
          "Attention:Exposure:ManagementPort is 47123, which the service already listens on for clients (http://127.0.0.1:47123); allowed: another port" },
        { ["--Attention:Exposure:ManagementPort=70000"], "Attention:Exposure:ManagementPort is 70000; allowed: 0 to 65535" },
        { ["--urls=http://127.0.0.1:47124", "--Attention:Exposure:GrpcPort=47124"],
          "Attention:Exposure:GrpcPort is 47124, which the service already listens on for clients (http://127.0.0.1:47124); allowed: another port (gRPC takes HTTP/2 only)" },
        { ["--Attention:Exposure:ManagementPort=47125", "--Attention:Exposure:GrpcPort=47125"],
          "Attention:Exposure:GrpcPort is 47125, the same as Attention:Exposure:ManagementPort; allowed: another port" },
        { ["--Attention:Exposure:GrpcPort=-1"], "Attention:Exposure:GrpcPort is -1; allowed: 0 to 65535" },
        { ["--Attention:Exposure:Swagger=Private"], "Attention:Exposure:Swagger is 'Private'; allowed: Public, Management, Off" },
        { ["--Attention:Cors:AllowedOrigins:0=app.example.com"],
          $"Attention:Cors:AllowedOrigins:0 is 'app.example.com'; allowed: {CrossOriginValidator.Allowed}" },
        { ["--Attention:Cors:AllowedOrigins:0=https://app.example.com/ui"], "Attention:Cors:AllowedOrigins:0 is 'https://app.example.com/ui'" },
        { ["--Attention:Cors:AllowedOrigins:0=https://app.example.com", "--Attention:Cors:AllowedOrigins:1=*"], "Attention:Cors:AllowedOrigins:1 is '*'" },
    };

    [Theory]
    [MemberData(nameof(BadCombinations))]
    public async Task AnExposureOrCorsSettingThatCannotWorkStopsTheServiceWithOneLineNamingIt(string[] arguments, string expected)
    {
        var (exitCode, stdout, stderr) = await ServiceProcess.RunToExitAsync(AppContext.BaseDirectory, TimeSpan.FromSeconds(60), arguments);

        Assert.True(exitCode == 1, $"exit code {exitCode}\nstdout:\n{string.Join('\n', stdout)}\nstderr:\n{string.Join('\n', stderr)}");
        var line = Assert.Single(stderr);
        Assert.StartsWith("AttentionService cannot start: ", line);
        Assert.Contains(expected, line);
        Assert.Empty(stdout);
    }

    [Theory]
    [InlineData("urls", "http://127.0.0.1:5050;http://[::1]:5050", "http://127.0.0.1:5050;http://[::1]:5050")]
    [InlineData("http_ports", "8080", "http://*:8080")]
    [InlineData("https_ports", "8443", "https://*:8443")]
    [InlineData("unrelated", "x", PublicAddresses.KestrelDefault)]
    public void PublicAddressesAreResolvedAsTheHostResolvesThem(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        Assert.Equal(expected, string.Join(';', PublicAddresses.FromConfiguration(configuration)));
    }

    [Fact]
    public void TheManagementPortListensOnTheHostsOfThePublicAddresses()
    {
        Assert.Equal(["http://127.0.0.1:9090"], PublicAddresses.ManagementAddresses(["http://127.0.0.1:5000"], 9090));
        Assert.Equal(["http://+:9090"], PublicAddresses.ManagementAddresses(["http://+:8080", "https://+:8443"], 9090));
        Assert.Equal(["http://localhost:9090", "http://[::1]:9090"], PublicAddresses.ManagementAddresses(["https://localhost:5001", "http://[::1]:5000"], 9090));
        Assert.Equal(["http://localhost:9090"], PublicAddresses.ManagementAddresses(["http://unix:/tmp/attention.sock"], 9090));
        Assert.Equal([8080, 8443], PublicAddresses.Ports(["http://+:8080", "https://*:8443", "http://unix:/tmp/a.sock"]));
    }
}
