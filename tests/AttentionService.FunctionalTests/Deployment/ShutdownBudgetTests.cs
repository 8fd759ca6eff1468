using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AttentionService.Configuration;
using AttentionService.Hosting;
using AttentionService.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// One shutdown budget (<see cref="ShutdownBudget"/>): the host timeout the app computes from the settings each
/// deployment gives it (appsettings.json, the Dockerfile's ENV, then compose's or the pod's environment), and the
/// grace each container stopper gives before it kills, which must cover it with the exit margin.
/// </summary>
public sealed partial class ShutdownBudgetTests
{
    private static readonly DockerfileInstructions Dockerfile = DockerfileInstructions.Read(Path.Combine(RepoPaths.Root, "Dockerfile"));

    [Theory]
    [InlineData(null, null, 40)]
    [InlineData("0", "1", 6)]
    [InlineData("300", "3600", 3905)]
    public void HostTimeoutIsTheDrainPlusTheRequestTimeoutPlusTheMargin(string? drain, string? requestTimeout, int expected)
    {
        var environment = new Dictionary<string, string>();
        if (drain is not null) environment["Attention__ShutdownDrainSeconds"] = drain;
        if (requestTimeout is not null) environment["Attention__RequestTimeoutSeconds"] = requestTimeout;

        var effective = EffectiveBudget(environment);

        Assert.Equal(expected, effective.HostTimeoutSeconds);
        Assert.Equal(effective.DrainSeconds + effective.RequestTimeoutSeconds + ShutdownBudget.HostMarginSeconds, effective.HostTimeoutSeconds);
    }

    [RequiresExecutableFact("docker-compose")]
    public void ComposeWaitsForEachServicesHostTimeoutAndTheExitMarginBeforeKilling()
    {
        var result = ExternalCommand.Run("docker-compose",
            ["--profile", "gpu", "-f", Path.Combine(RepoPaths.Root, "docker-compose.yml"), "config"],
            TimeSpan.FromMinutes(2), environment: new Dictionary<string, string> { ["SDK_IMAGE"] = "", ["RUNTIME_IMAGE"] = "", ["GPU_RUNTIME_IMAGE"] = "" });
        Assert.True(result.ExitCode == 0, $"docker-compose config rejected the file: {result.Transcript}");
        var services = Assert.Single(YamlDocuments.Parse(result.StandardOutput)).GetProperty("services").EnumerateObject().ToList();

        Assert.Equal(["attention", "attention-gpu"], services.Select(s => s.Name).Order());
        foreach (var service in services)
        {
            var environment = ImageEnvironment();
            foreach (var variable in service.Value.GetProperty("environment").EnumerateObject())
                environment[variable.Name] = variable.Value.ToString();
            var hostTimeout = EffectiveBudget(environment).HostTimeoutSeconds;
            var grace = service.Value.TryGetProperty("stop_grace_period", out var period) ? Duration(period.GetString()!) : 10;

            Assert.True(grace >= hostTimeout + ShutdownBudget.ExitMarginSeconds,
                $"{service.Name}: stop_grace_period {grace} s must be at least the host timeout {hostTimeout} s + {ShutdownBudget.ExitMarginSeconds} s");
        }
    }

    [RequiresManifestToolsFact]
    public void KubernetesGracePeriodCoversThePreStopPauseTheHostTimeoutAndTheExitMargin()
    {
        var pod = KubernetesManifestTests.Pod;
        var container = KubernetesManifestTests.Container;
        // As the kubelet sets it: the image's ENV, then envFrom, then env.
        var environment = ImageEnvironment();
        foreach (var variable in KubernetesManifestTests.At(KubernetesManifestTests.Resource("ConfigMap"), "data").EnumerateObject())
            environment[variable.Name] = variable.Value.GetString()!;
        foreach (var variable in container.GetProperty("env").EnumerateArray())
            environment[variable.GetProperty("name").GetString()!] = variable.GetProperty("value").GetString()!;
        var hostTimeout = EffectiveBudget(environment).HostTimeoutSeconds;
        var grace = pod.GetProperty("terminationGracePeriodSeconds").GetInt32();
        var pause = PreStopSeconds(KubernetesManifestTests.At(container, "lifecycle", "preStop"));

        Assert.True(grace >= pause + hostTimeout + ShutdownBudget.ExitMarginSeconds,
            $"terminationGracePeriodSeconds {grace} must be at least preStop {pause} s + host timeout {hostTimeout} s + {ShutdownBudget.ExitMarginSeconds} s");
    }

    [Fact]
    public void TheImageDeliversTheStopSignalToTheAppItself()
    {
        var final = Dockerfile.InStage(Dockerfile.FinalStage!).ToList();
        var entrypoint = Assert.Single(final, i => i.Keyword == "ENTRYPOINT");

        // Exec form: dotnet is PID 1 and gets SIGTERM, which starts the drain; a shell form would swallow it.
        Assert.Equal("dotnet", JsonSerializer.Deserialize<string[]>(entrypoint.Arguments)![0]);
        Assert.All(final.Where(i => i.Keyword == "STOPSIGNAL"), i => Assert.Equal("SIGTERM", i.Arguments));
    }

    [Fact]
    public async Task TheHostsOwnShutdownTimeoutVariableStopsTheStartNamingTheBudgetThatReplacesIt()
    {
        var (exitCode, stdout, stderr) = await ServiceProcess.RunToExitAsync(AppContext.BaseDirectory, TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["DOTNET_SHUTDOWNTIMEOUTSECONDS"] = "30" });

        Assert.True(exitCode == 1, $"exit code {exitCode}\nstdout:\n{string.Join('\n', stdout)}\nstderr:\n{string.Join('\n', stderr)}");
        var line = Assert.Single(stderr);
        Assert.StartsWith("AttentionService cannot start: ", line);
        Assert.Contains("shutdownTimeoutSeconds (DOTNET_SHUTDOWNTIMEOUTSECONDS) is 30, which the service does not use; allowed: unset.", line);
        Assert.Contains("Attention:ShutdownDrainSeconds + Attention:RequestTimeoutSeconds + 5 s, now 40 s", line);
    }

    private sealed record Budget(int DrainSeconds, int RequestTimeoutSeconds, int HostTimeoutSeconds);

    /// <summary>
    /// The app (Program, appsettings.json, validation at start) started with <paramref name="environment"/> as the
    /// environment-variable provider reads it, and what it computed. Its hosted services (the web server, model loading,
    /// the drain) are left out: only settings are read, and none of them takes part in computing the budget.
    /// </summary>
    private static Budget EffectiveBudget(IReadOnlyDictionary<string, string> environment)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in ConfigurationKeys(environment)) builder.UseSetting(key, value);
            builder.ConfigureTestServices(services => services.RemoveAll<IHostedService>());
        });
        var attention = factory.Services.GetRequiredService<IOptions<AttentionOptions>>().Value;
        var host = factory.Services.GetRequiredService<IOptions<HostOptions>>().Value;
        return new Budget(attention.ShutdownDrainSeconds, attention.RequestTimeoutSeconds, (int)host.ShutdownTimeout.TotalSeconds);
    }

    /// <summary>Environment variables as configuration keys: <c>__</c> is <c>:</c>; DOTNET_ and ASPNETCORE_ ones also without the prefix.</summary>
    private static IEnumerable<(string Key, string Value)> ConfigurationKeys(IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (name, value) in environment)
        {
            var key = name.Replace("__", ":", StringComparison.Ordinal);
            yield return (key, value);
            foreach (var prefix in new[] { "DOTNET_", "ASPNETCORE_" })
                if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) yield return (key[prefix.Length..], value);
        }
    }

    /// <summary>The final stage's ENV (<c>KEY=value</c> pairs, unquoted).</summary>
    private static Dictionary<string, string> ImageEnvironment()
    {
        var environment = new Dictionary<string, string>();
        foreach (var instruction in Dockerfile.InStage(Dockerfile.FinalStage!).Where(i => i.Keyword == "ENV"))
        {
            Assert.DoesNotContain('"', instruction.Arguments);
            foreach (var pair in instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=');
                Assert.True(equals > 0, $"ENV {instruction.Arguments}: expected KEY=value pairs");
                environment[pair[..equals]] = pair[(equals + 1)..];
            }
        }
        return environment;
    }

    /// <summary>A preStop that pauses: <c>exec: ["sleep", "N"]</c> or the <c>sleep: {seconds: N}</c> action.</summary>
    private static int PreStopSeconds(JsonElement preStop)
    {
        if (preStop.TryGetProperty("sleep", out var sleep)) return sleep.GetProperty("seconds").GetInt32();
        var command = preStop.GetProperty("exec").GetProperty("command").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal("sleep", command[0]);
        return int.Parse(Assert.Single(command.Skip(1)), CultureInfo.InvariantCulture);
    }

    /// <summary>A compose duration such as <c>45s</c> or <c>1m30s</c>, in whole seconds.</summary>
    private static int Duration(string text)
    {
        var parts = DurationPart().Matches(text);
        Assert.True(parts.Count > 0 && string.Concat(parts.Select(p => p.Value)) == text, $"unexpected duration '{text}'");
        return parts.Sum(p => int.Parse(p.Groups["n"].Value, CultureInfo.InvariantCulture) * p.Groups["unit"].Value switch
        {
            "h" => 3600,
            "m" => 60,
            _ => 1,
        });
    }

    [GeneratedRegex(@"(?<n>\d+)(?<unit>h|m|s)")]
    private static partial Regex DurationPart();
}
