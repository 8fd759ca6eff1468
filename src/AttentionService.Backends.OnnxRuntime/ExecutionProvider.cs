namespace AttentionService.Backends.OnnxRuntime;

/// <summary>Where ONNX Runtime executes a model's nodes.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's own CPU kernels; always available.</summary>
    Cpu,

    /// <summary>NVIDIA CUDA; needs the Microsoft.ML.OnnxRuntime.Gpu build and a CUDA device, else the model runs on CPU.</summary>
    Cuda,
}
