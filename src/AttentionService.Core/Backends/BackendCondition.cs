namespace AttentionService.Core.Backends;

/// <summary>What a backend as a whole can do in this process (<see cref="BackendStatus"/>).</summary>
public enum BackendCondition
{
    /// <summary>It loads models as configured.</summary>
    Available,

    /// <summary>It loads models, but not as configured (e.g. CUDA was asked for and ONNX Runtime runs on its CPU provider).</summary>
    Degraded,

    /// <summary>It loads no model at all in this process (e.g. no native ONNX Runtime); each model's slot carries the reason.</summary>
    Unavailable,
}
