using Microsoft.Extensions.Options;
using System.ComponentModel.DataAnnotations;
using AttentionService.Backends.OnnxRuntime;

namespace AttentionService.Configuration;

/// <summary>The service's settings, bound from the <c>Attention</c> configuration section and validated at start.</summary>
public sealed class AttentionOptions
{
    public const string SectionName = "Attention";

    /// <summary>Folder of <c>&lt;name&gt;.onnx</c> files. Empty: the repository's models/ when run from source, else the app's own models/.</summary>
    public string? ModelsPath { get; set; }

    /// <summary>Model used when a request names none.</summary>
    [Required, RegularExpression(ModelName.Pattern)]
    public string DefaultModel { get; set; } = "luong-dot";

    /// <summary>Which backend serves requests that do not name one.</summary>
    public BackendPolicy Backend { get; set; } = BackendPolicy.Auto;

    /// <summary>Execution provider for ONNX Runtime; Cuda falls back to CPU (with a warning) where unavailable.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>Console log format: readable text, or compact JSON for containers.</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    [Required, ValidateObjectMembers]
    public RequestLimits Limits { get; set; } = new();
}

public enum BackendPolicy
{
    /// <summary>ONNX Runtime, falling back to the managed backend when it cannot load, create a session or run.</summary>
    Auto,
    Onnx,
    Managed,
}

public enum LogFormat
{
    Text,
    Json,
}
