using AttentionService.Core.Tensors;

namespace AttentionService.Contracts;

/// <summary>The answer of <c>POST /attend</c>, streamed by <see cref="Json.AttendResponseWriter"/>; its tensors are views of outputs the request owns.</summary>
public sealed class AttendResponse
{
    /// <summary>The model that answered.</summary>
    public required string Model { get; init; }

    /// <summary>The backend that actually ran: <c>onnx</c> or <c>managed</c>.</summary>
    public required string Backend { get; init; }

    /// <summary>The request's position labels, as it sent them; absent when it sent none.</summary>
    public TokenLabels? Tokens { get; init; }

    /// <summary>Context vectors, same rank as query: <c>[tq][dv]</c> or <c>[batch][tq][dv]</c>. Absent when the request's <c>include</c> left it out.</summary>
    public TensorView<float>? Context { get; init; }

    /// <summary>
    /// Attention weights, <c>[tq][tv]</c> or <c>[batch][tq][tv]</c> (multi-head models: a heads axis after batch, unless
    /// the request asked for <c>"heads": "average"</c>). Absent when the request's <c>include</c> left it out.
    /// </summary>
    public TensorView<float>? Weights { get; init; }

    /// <summary>
    /// The outputs the request named in <c>outputs</c>, under the names it used, in the graph's rank (batch axis
    /// included): nested arrays of numbers, integers or booleans. Absent when the request named none.
    /// </summary>
    public IReadOnlyDictionary<string, TensorView>? Outputs { get; init; }
}
