using AttentionService.Core.Tensors;

namespace AttentionService.Contracts.OpenInference;

/// <summary>
/// The answer of an Open Inference Protocol infer request: the model, the request's id, the backend that ran (as the
/// <c>backend</c> parameter) and the outputs, each as JSON data or, under the binary tensor data extension, raw bytes.
/// The tensors are views; whoever holds the run's outputs keeps them alive until the answer is written.
/// </summary>
public sealed class InferResponse
{
    public required string ModelName { get; init; }

    public string? ModelVersion { get; init; }

    public string? Id { get; init; }

    /// <summary>The backend that actually ran: onnx or managed.</summary>
    public required string Backend { get; init; }

    public required IReadOnlyList<InferOutput> Outputs { get; init; }
}

/// <summary>One output under the name it was asked by (or its graph name); <see cref="Binary"/>: sent as raw bytes.</summary>
public sealed record InferOutput(string Name, TensorView Tensor, bool Binary);
