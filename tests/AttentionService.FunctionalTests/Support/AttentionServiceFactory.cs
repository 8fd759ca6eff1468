using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AttentionService.Tests.Support;

/// <summary>The real app (real Kestrel pipeline in memory, real ONNX Runtime, real models) with optional settings.</summary>
public class AttentionServiceFactory : WebApplicationFactory<Program>
{
    /// <summary>Configuration keys to override, e.g. <c>Attention:Backend</c>.</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];

    /// <summary>Service changes applied after the app's own, e.g. fault injection.</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // No drain delay: test hosts are disposed many times per run.
        builder.UseSetting("Attention:ShutdownDrainSeconds", "0");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        if (ConfigureTestServices is not null) builder.ConfigureServices(ConfigureTestServices);
    }
}
