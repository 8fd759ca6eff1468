using AttentionService.Contracts;

namespace AttentionService.Configuration;

/// <summary>
/// Where each operator-facing feature answers: on the public port with the API, only on a separate management port,
/// or nowhere. The management port serves everything the service serves (so Swagger UI's "Try it out" works there);
/// the public port serves all but the features set to <see cref="FeatureExposure.Management"/>. Features and their paths are
/// listed in <see cref="Hosting.ExposedFeatures"/>.
/// </summary>
public sealed class ExposureOptions
{
    /// <summary>Swagger UI and the OpenAPI document (<c>/swagger</c>).</summary>
    public FeatureExposure Swagger { get; set; } = FeatureExposure.Public;

    /// <summary>The Prometheus metrics (<c>/metrics</c>).</summary>
    public FeatureExposure Metrics { get; set; } = FeatureExposure.Public;

    /// <summary>The attention explorer page and its files (<c>/explore</c>); it calls only <c>/models</c> and <c>/attend</c>.</summary>
    public FeatureExposure Explorer { get; set; } = FeatureExposure.Public;

    /// <summary>
    /// A second port Kestrel listens on, beside the configured URLs and on the same hosts, in plain HTTP; 0 means none.
    /// Required when a feature is <see cref="FeatureExposure.Management"/>; must differ from the public ports.
    /// </summary>
    [SettingRange(0, 65535)]
    public int ManagementPort { get; set; }

    /// <summary>
    /// The port of the Open Inference Protocol's gRPC service (<c>inference.GRPCInferenceService</c>): HTTP/2 without
    /// TLS (h2c), beside the configured URLs and on the same hosts; 0 means no gRPC. Must differ from the public ports
    /// and from <see cref="ManagementPort"/>.
    /// </summary>
    [SettingRange(0, 65535)]
    public int GrpcPort { get; set; }
}

public enum FeatureExposure
{
    /// <summary>Served on the public port (and on the management port, if there is one).</summary>
    Public,

    /// <summary>Served only on the management port; 404 on the public port.</summary>
    Management,

    /// <summary>Not served at all: 404 on every port.</summary>
    Off,
}
