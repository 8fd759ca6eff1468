namespace AttentionService.Onnx;

/// <summary>The ONNX versions our models are written for; ONNX Runtime 1.31 reads both.</summary>
public static class OnnxVersions
{
    /// <summary>IR version 8 goes with opset 17.</summary>
    public const long IrVersion = 8;

    public const long Opset = 17;
}
