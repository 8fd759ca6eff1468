using AttentionService.Tests.Support;

namespace AttentionService.Tests.Hosting;

/// <summary>
/// The built app started as its own process with one bad setting: it stops at once with exit code 1 and one line on
/// stderr naming the key, the value and what is allowed, instead of an unhandled exception's stack trace (exit 134).
/// </summary>
public sealed class BadSettingTests
{
    [Theory]
    [InlineData("--Attention:Backend=Foo", "Attention:Backend is 'Foo'; allowed: Auto, Onnx, Managed")]
    [InlineData("--Attention:Limits:MaxBatch=0", "Attention:Limits:MaxBatch is 0; allowed: 1 to 65536")]
    [InlineData("--Attention:Limits:MaxBatch=abc", "Attention:Limits:MaxBatch is 'abc'; allowed: a whole number from 1 to 65536")]
    [InlineData("--Attention:Connections:MaxConcurrentConnections=0", "Attention:Connections:MaxConcurrentConnections is 0; allowed: 1 to 1000000")]
    [InlineData("--Attention:Connections:KeepAliveTimeoutSeconds=-1", "Attention:Connections:KeepAliveTimeoutSeconds is -1; allowed: 1 to 3600")]
    [InlineData("--Attention:Connections:MinRequestBytesPerSecond=0", "Attention:Connections:MinRequestBytesPerSecond is 0; allowed: 1 to 1000000000")]
    [InlineData("--Attention:Connections:MinResponseRateGraceSeconds=1", "Attention:Connections:MinResponseRateGraceSeconds is 1; allowed: 2 to 3600")]
    [InlineData("--Attention:Limits:MaxModelBytes=100", "Attention:Limits:MaxModelBytes is 100; allowed: 1024 to 2000000000")]
    [InlineData("--Attention:Models:LoadTimeoutSeconds=0", "Attention:Models:LoadTimeoutSeconds is 0; allowed: 1 to 3600")]
    [InlineData("--Attention:Models:PollSeconds=-1", "Attention:Models:PollSeconds is -1; allowed: 0 to 3600")]
    [InlineData("--Attention:Models:Reload=maybe", "Attention:Models:Reload is 'maybe'; allowed: true or false")]
    [InlineData("--Attention:Memory:BudgetBytes=-1", "Attention:Memory:BudgetBytes is -1; allowed: 0 to 9223372036854775807")]
    [InlineData("--Attention:Memory:TrimIdleSeconds=0", "Attention:Memory:TrimIdleSeconds is 0; allowed: 1 to 3600")]
    [InlineData("--Attention:Limits:MaxIntermediateElements=0", "Attention:Limits:MaxIntermediateElements is 0; allowed: 1 to 1073741824")]
    [InlineData("--Attention:OnnxRuntime:ExecutionProvider=Tpu", "Attention:OnnxRuntime:ExecutionProvider is 'Tpu'; allowed: Cpu, Cuda")]
    [InlineData("--Attention:OnnxRuntime:IntraOpNumThreads=-2", "Attention:OnnxRuntime:IntraOpNumThreads is -2; allowed: 0 to 2147483647")]
    [InlineData("--Attention:ModelsPath=/no/such/models", "Attention:ModelsPath is '/no/such/models', not an existing folder")]
    public async Task ABadSettingStopsTheServiceWithOneLineNamingItAndExitCode1(string argument, string expected)
    {
        var (exitCode, stdout, stderr) = await ServiceProcess.RunToExitAsync(AppContext.BaseDirectory, TimeSpan.FromSeconds(60), argument);

        Assert.True(exitCode == 1, $"exit code {exitCode}\nstdout:\n{string.Join('\n', stdout)}\nstderr:\n{string.Join('\n', stderr)}");
        var line = Assert.Single(stderr);
        Assert.StartsWith("AttentionService cannot start: ", line);
        Assert.Contains(expected, line);
        Assert.Empty(stdout);
    }
}
