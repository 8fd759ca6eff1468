namespace AttentionService.Core.Backends;

/// <summary>The two ways a model can be executed.</summary>
public enum BackendKind
{
    /// <summary>Microsoft ONNX Runtime (native library).</summary>
    Onnx,

    /// <summary>The managed C# operator path: the same graph executed by C# kernels.</summary>
    Managed,
}
