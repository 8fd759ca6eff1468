using System.ComponentModel.DataAnnotations;
using AttentionService.Contracts;
using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>
/// The service's settings, bound from the <c>Attention</c> configuration section and validated at start. The defaults
/// here are the ones appsettings.json states (a test holds them equal); ONNX Runtime's session settings are
/// <c>Attention:OnnxRuntime</c> (<see cref="Backends.OnnxRuntime.OnnxRuntimeSettings"/>).
/// </summary>
public sealed class AttentionOptions
{
    public const string SectionName = "Attention";

    /// <summary>Folder of <c>&lt;name&gt;.onnx</c> files. Empty: the repository's models/ when run from source, else the app's own models/.</summary>
    public string ModelsPath { get; set; } = "";

    /// <summary>Model used when a request names none.</summary>
    [ModelNameSetting]
    public string DefaultModel { get; set; } = "luong-dot";

    /// <summary>Which backend serves requests that do not name one.</summary>
    public BackendPolicy Backend { get; set; } = BackendPolicy.Auto;

    /// <summary>
    /// Under <see cref="BackendPolicy.Auto"/>, a request with at most this many attention scores (batch × tq × tv) runs
    /// on the managed backend first and ONNX Runtime second: at such sizes the managed kernels measured several times
    /// faster (docs/performance.md). 0 puts ONNX Runtime first for every request.
    /// </summary>
    [SettingRange(0, int.MaxValue)]
    public int AutoManagedMaxScores { get; set; } = 1024;

    /// <summary>Console log format: readable text, or compact JSON for containers.</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    [Required, ValidateObjectMembers]
    public RequestLimits Limits { get; set; } = new();

    [Required, ValidateObjectMembers]
    public ModelFileOptions Models { get; set; } = new();

    [Required, ValidateObjectMembers]
    public ConcurrencyOptions Concurrency { get; set; } = new();

    [Required, ValidateObjectMembers]
    public ConnectionOptions Connections { get; set; } = new();

    [Required, ValidateObjectMembers]
    public ExposureOptions Exposure { get; set; } = new();

    [Required]
    public CrossOriginOptions Cors { get; set; } = new();

    [Required, ValidateObjectMembers]
    public MemoryOptions Memory { get; set; } = new();

    /// <summary>
    /// Longest an /attend request may spend queueing and running before it is stopped and answered 503. Reading the body
    /// and writing the answer are not included: minimum data rates bound those (<see cref="ConnectionOptions"/>).
    /// </summary>
    [SettingRange(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// On SIGTERM, readiness turns false at once and the service keeps serving this long, so load balancers stop
    /// sending before the listener closes; then in-flight requests finish and new connections are refused.
    /// </summary>
    [SettingRange(0, 300)]
    public int ShutdownDrainSeconds { get; set; } = 5;
}

public enum BackendPolicy
{
    /// <summary>
    /// ONNX Runtime, falling back to the managed backend when it cannot load, create a session or run; small requests
    /// (<see cref="AttentionOptions.AutoManagedMaxScores"/>) the other way round.
    /// </summary>
    Auto,
    Onnx,
    Managed,
}

public enum LogFormat
{
    Text,
    Json,
}
