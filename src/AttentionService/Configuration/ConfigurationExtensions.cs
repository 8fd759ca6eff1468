using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

public static class ConfigurationExtensions
{
    /// <summary>Binds <see cref="AttentionOptions"/>, resolves the models folder and validates both at start.</summary>
    public static IServiceCollection AddAttentionOptions(this IServiceCollection services)
    {
        services.AddOptions<AttentionOptions>()
            .BindConfiguration(AttentionOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AttentionOptions>, AttentionOptionsValidator>();
        services.AddSingleton<IValidateOptions<AttentionOptions>, ModelsPathValidator>();
        services.AddSingleton<IPostConfigureOptions<AttentionOptions>, ModelsPathResolver>();
        return services;
    }
}
