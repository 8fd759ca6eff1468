using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AttentionService.Tests.Support;

/// <summary>The real app (real Kestrel pipeline in memory, real ONNX Runtime, real models) with optional settings.</summary>
public class AttentionServiceFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public AttentionServiceFactory() : this(new Dictionary<string, string?>()) { }

    public AttentionServiceFactory(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        _settings = settings;
        _services = services;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_services is not null) builder.ConfigureServices(_services);
    }
}
