using AttentionService.Hosting;
using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>
/// A feature on the management port needs one, and it must not be a port the service already serves clients on
/// (the public port would then serve the management features).
/// </summary>
public sealed class ExposureValidator(IConfiguration configuration) : IValidateOptions<AttentionOptions>
{
    private const string Section = AttentionOptions.SectionName + ":Exposure";

    public ValidateOptionsResult Validate(string? name, AttentionOptions options)
    {
        var management = ValidateManagementPort(options);
        return management.Failed ? management : ValidateGrpcPort(options.Exposure);
    }

    /// <summary>The gRPC port is HTTP/2 only, so it can be neither a public port nor the management port.</summary>
    private ValidateOptionsResult ValidateGrpcPort(ExposureOptions exposure)
    {
        var port = exposure.GrpcPort;
        if (port == 0) return ValidateOptionsResult.Success;
        if (port == exposure.ManagementPort)
            return ValidateOptionsResult.Fail($"{Section}:GrpcPort is {port}, the same as {Section}:ManagementPort; allowed: another port (gRPC takes HTTP/2 only)");
        var publicAddresses = PublicAddresses.FromConfiguration(configuration);
        return PublicAddresses.Ports(publicAddresses).Contains(port)
            ? ValidateOptionsResult.Fail($"{Section}:GrpcPort is {port}, which the service already listens on for clients ({string.Join(';', publicAddresses)}); allowed: another port (gRPC takes HTTP/2 only)")
            : ValidateOptionsResult.Success;
    }

    private ValidateOptionsResult ValidateManagementPort(AttentionOptions options)
    {
        var exposure = options.Exposure;
        var port = exposure.ManagementPort;
        if (port == 0)
        {
            var needing = ExposedFeatures.All.Where(f => f.Exposure(exposure) == FeatureExposure.Management).Select(f => $"{Section}:{f.Setting}").ToList();
            return needing.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{Section}:ManagementPort is 0 but {string.Join(" and ", needing)} {(needing.Count == 1 ? "is" : "are")} Management; allowed: 1 to 65535 (a port of its own)");
        }
        var publicAddresses = PublicAddresses.FromConfiguration(configuration);
        return PublicAddresses.Ports(publicAddresses).Contains(port)
            ? ValidateOptionsResult.Fail($"{Section}:ManagementPort is {port}, which the service already listens on for clients ({string.Join(';', publicAddresses)}); allowed: another port")
            : ValidateOptionsResult.Success;
    }
}
