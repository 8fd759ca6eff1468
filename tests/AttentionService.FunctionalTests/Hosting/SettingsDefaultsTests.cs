using AttentionService.Contracts;
using System.Text.Json;
using AttentionService.Backends.OnnxRuntime;
using AttentionService.Configuration;
using AttentionService.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace AttentionService.Tests.Hosting;

/// <summary>appsettings.json states every setting with the code's default, and nothing the code does not read.</summary>
public sealed class SettingsDefaultsTests
{
    private static readonly IConfigurationRoot AppSettings = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(RepoPaths.Root, "src", "AttentionService", "appsettings.json"))
        .Build();

    [Fact]
    public void AppSettingsAttentionSectionEqualsTheOptionsDefaults() =>
        Assert.Equal(
            JsonSerializer.Serialize(new AttentionOptions()),
            JsonSerializer.Serialize(AppSettings.GetSection(AttentionOptions.SectionName).Get<AttentionOptions>()));

    [Fact]
    public void AppSettingsOnnxRuntimeSectionEqualsTheSettingsDefaults() =>
        Assert.Equal(
            JsonSerializer.Serialize(new OnnxRuntimeSettings()),
            JsonSerializer.Serialize(AppSettings.GetSection(SettingKey.OnnxRuntimeSection).Get<OnnxRuntimeSettings>()));

    [Fact]
    public void EveryAttentionKeyInAppSettingsIsASetting()
    {
        var keys = AppSettings.GetSection(AttentionOptions.SectionName).AsEnumerable()
            .Where(pair => pair.Value is not null)
            .Select(pair => pair.Key)
            .ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.True(InvalidSettings.Allowed(key) is not null, $"{key} is not bound to any setting"));
    }

    [Fact]
    public void ValidatorDisplayNamesMapToConfigurationKeys()
    {
        Assert.Equal("Attention:Limits:MaxBatch", SettingKey.FromDisplayName($"{nameof(AttentionOptions)}.Limits.MaxBatch"));
        Assert.Equal("Attention:OnnxRuntime:IntraOpNumThreads", SettingKey.FromDisplayName($"{nameof(OnnxRuntimeSettings)}.IntraOpNumThreads"));
    }

    [Fact]
    public void AppSettingsHasOnlySectionsThatTakeEffect() =>
        Assert.Equal(["AllowedHosts", "Attention", "Serilog"], AppSettings.GetChildren().Select(c => c.Key).Order());
}
