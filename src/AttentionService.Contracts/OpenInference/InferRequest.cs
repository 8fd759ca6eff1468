using AttentionService.Core.Tensors;

namespace AttentionService.Contracts.OpenInference;

/// <summary>
/// The body of an Open Inference Protocol (KServe v2) <c>POST /v2/models/{name}/infer</c>: tensors by name with their
/// datatype and shape, from JSON data (flat or nested) or from the binary tensor data extension. Owns the tensors.
/// </summary>
public sealed class InferRequest : IDisposable
{
    /// <summary>Echoed in the answer.</summary>
    public string? Id { get; init; }

    public InferParameters Parameters { get; init; } = new(null, false, false);

    public required IReadOnlyList<InferInput> Inputs { get; init; }

    /// <summary>The outputs asked for, in order; null: every output of the model.</summary>
    public IReadOnlyList<RequestedOutput>? Outputs { get; init; }

    /// <summary>Bytes the parsed tensors hold.</summary>
    public long TensorBytes => Inputs.Sum(i => (long)i.View.Length * TensorElementTypes.SizeOf(i.View.ElementType));

    public void Dispose()
    {
        foreach (var input in Inputs) input.Dispose();
    }
}

/// <summary>
/// The request parameters the service reads: <c>backend</c> (onnx or managed), <c>causal</c>, and the binary tensor
/// data extension's <c>binary_data_output</c> (every output as binary). Other parameters are ignored, as the protocol
/// lets each server define its own.
/// </summary>
public sealed record InferParameters(string? Backend, bool Causal, bool BinaryDataOutput);

/// <summary>An output asked for by name; <see cref="Binary"/> is its <c>binary_data</c> parameter, if given.</summary>
public sealed record RequestedOutput(string Name, bool? Binary);

/// <summary>One input tensor: its name, and the tensor of its declared datatype and shape, which it owns.</summary>
public sealed class InferInput(string name, IDisposable owner, TensorView view) : IDisposable
{
    public string Name { get; } = name;

    /// <summary>The tensor in the declared shape.</summary>
    public TensorView View { get; } = view;

    /// <summary>The owning FP32 tensor (for a role the pipeline takes as such), or null for another datatype.</summary>
    public Tensor<float>? Float => owner as Tensor<float>;

    public void Dispose() => owner.Dispose();
}
