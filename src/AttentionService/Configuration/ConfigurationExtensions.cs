using AttentionService.Contracts;
using AttentionService.Backends.OnnxRuntime;
using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

public static class ConfigurationExtensions
{
    /// <summary>
    /// Binds every options class (<see cref="AttentionOptions"/> from <c>Attention</c>, <see cref="OnnxRuntimeSettings"/>
    /// from <c>Attention:OnnxRuntime</c>), resolves the models folder and validates them all at start.
    /// </summary>
    public static IServiceCollection AddAttentionOptions(this IServiceCollection services)
    {
        services.AddOptions<AttentionOptions>()
            .BindConfiguration(AttentionOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AttentionOptions>, AttentionOptionsValidator>();
        services.AddSingleton<IValidateOptions<AttentionOptions>, ModelsPathValidator>();
        services.AddSingleton<IValidateOptions<AttentionOptions>, BackendAvailableValidator>();
        services.AddSingleton<IPostConfigureOptions<AttentionOptions>, ModelsPathResolver>();

        services.AddOptions<OnnxRuntimeSettings>()
            .BindConfiguration(SettingKey.OnnxRuntimeSection)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OnnxRuntimeSettings>, OnnxRuntimeSettingsValidator>();
        return services;
    }

    /// <summary>
    /// Runs the start-up validation now rather than inside the host's start, which would log the failure with its stack
    /// trace before Program reports it in one line (<see cref="InvalidSettings"/>).
    /// </summary>
    public static IHost ValidateSettings(this IHost host)
    {
        host.Services.GetService<IStartupValidator>()?.Validate();
        return host;
    }
}
