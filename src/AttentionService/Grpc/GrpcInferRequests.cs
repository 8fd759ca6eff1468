using System.Runtime.InteropServices;
using AttentionService.Contracts;
using AttentionService.Contracts.OpenInference;
using AttentionService.Core.Tensors;
using AttentionService.Inference;
using Google.Protobuf;
using Oip = global::Inference;

namespace AttentionService.Grpc;

/// <summary>
/// Converts between the gRPC messages of the Open Inference Protocol and the service's <see cref="InferRequest"/> and
/// answers: inputs from typed contents (<c>fp32_contents</c>, <c>int64_contents</c>, <c>bool_contents</c>) or from
/// <c>raw_input_contents</c> (one little-endian blob per input, in order), within the request limits; outputs as typed
/// contents, or all as <c>raw_output_contents</c> when the request asks for binary data.
/// </summary>
public static class GrpcInferRequests
{
    public static (InferRequest? Request, InferenceError? Error) Read(Oip.ModelInferRequest request, RequestLimits limits)
    {
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
            return FailRequest($"raw_input_contents has {raw.Count} entries for {request.Inputs.Count} inputs; send one per input, in order, or none");
        var inputs = new List<InferInput>();
        try
        {
            for (var i = 0; i < request.Inputs.Count; i++)
            {
                var (input, error) = ReadInput(request.Inputs[i], raw.Count > 0 ? raw[i] : null, limits);
                if (error is not null)
                {
                    foreach (var read in inputs) read.Dispose();
                    return (null, error);
                }
                if (inputs.Any(other => other.Name == input!.Name))
                {
                    input!.Dispose();
                    foreach (var read in inputs) read.Dispose();
                    return FailRequest($"input '{ClientText.Shorten(request.Inputs[i].Name)}' is sent twice");
                }
                inputs.Add(input!);
            }
        }
        catch
        {
            foreach (var read in inputs) read.Dispose();
            throw;
        }
        var parameters = request.Parameters;
        return (new InferRequest
        {
            Id = request.Id.Length > 0 ? request.Id : null,
            Parameters = new InferParameters(
                parameters.TryGetValue("backend", out var backend) ? backend.StringParam : null,
                parameters.TryGetValue("causal", out var causal) && causal.BoolParam,
                parameters.TryGetValue("binary_data_output", out var binary) && binary.BoolParam),
            Inputs = inputs,
            Outputs = request.Outputs.Count == 0 ? null : request.Outputs
                .Select(o => new RequestedOutput(o.Name, o.Parameters.TryGetValue("binary_data", out var b) ? b.BoolParam : null)).ToArray(),
        }, null);
    }

    private static (InferInput?, InferenceError?) ReadInput(Oip.ModelInferRequest.Types.InferInputTensor tensor, ByteString? raw, RequestLimits limits)
    {
        var at = $"input '{ClientText.Shorten(tensor.Name)}'";
        long elements = 1;
        foreach (var d in tensor.Shape)
        {
            if (d < 0) return Fail($"{at} has shape [{string.Join(", ", tensor.Shape)}]; dimensions are ≥ 0");
            elements = d == 0 || elements == 0 ? 0 : elements > long.MaxValue / d ? long.MaxValue : elements * d;
        }
        if (elements > limits.MaxElements || tensor.Shape.Count > 8 || tensor.Shape.Any(d => d > int.MaxValue))
            return (null, InferenceError.TooLarge($"{at} has shape [{string.Join(", ", tensor.Shape)}]: more than {limits.MaxElements} elements (Attention:Limits:MaxElements) or rank 8"));
        var shape = tensor.Shape.Select(d => (int)d).ToArray();
        return tensor.Datatype switch
        {
            "FP32" => Input(tensor.Name, shape, raw, tensor.Contents?.Fp32Contents, at),
            "INT64" => Input(tensor.Name, shape, raw, tensor.Contents?.Int64Contents, at),
            "BOOL" => Input(tensor.Name, shape, raw, tensor.Contents?.BoolContents, at),
            _ => Fail($"{at} has datatype '{ClientText.Shorten(tensor.Datatype)}'; inputs are {InferRequestReader.Datatypes}"),
        };
    }

    private static (InferInput?, InferenceError?) Input<T>(string name, int[] shape, ByteString? raw, IReadOnlyList<T>? typed, string at)
        where T : unmanaged
    {
        var count = Tensor.ElementCount(shape);
        var type = TensorElementTypes.Of<T>();
        if (raw is not null)
        {
            var size = (long)count * TensorElementTypes.SizeOf(type);
            if (raw.Length != size)
                return Fail($"{at}: raw_input_contents has {raw.Length} bytes; shape {Tensor.ShapeText(shape)} of {type.ToWireName()} takes {size}");
        }
        else if ((typed?.Count ?? 0) != count)
        {
            return Fail($"{at} has {typed?.Count ?? 0} elements in {ContentsName(type)}; shape {Tensor.ShapeText(shape)} takes {count}");
        }
        var tensor = Tensor.Rent<T>(shape);
        if (raw is null)
        {
            for (var i = 0; i < count; i++) tensor.Span[i] = typed![i];
        }
        else if (typeof(T) == typeof(bool))
        {
            var bools = MemoryMarshal.Cast<T, bool>(tensor.Span);
            for (var i = 0; i < count; i++) bools[i] = raw.Span[i] != 0;
        }
        else
        {
            raw.Span.CopyTo(MemoryMarshal.AsBytes(tensor.Span));
        }
        return (new InferInput(name, tensor, tensor.View), null);
    }

    private static string ContentsName(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => "contents.fp32_contents",
        TensorElementType.Int64 => "contents.int64_contents",
        _ => "contents.bool_contents",
    };

    /// <summary>The answer: every planned output typed, or all as raw bytes when any was asked for as binary data.</summary>
    public static Oip.ModelInferResponse Answer(InferResponse response)
    {
        var answer = new Oip.ModelInferResponse { ModelName = response.ModelName, ModelVersion = response.ModelVersion ?? "", Id = response.Id ?? "" };
        answer.Parameters["backend"] = new Oip.InferParameter { StringParam = response.Backend };
        var raw = response.Outputs.Any(o => o.Binary);
        foreach (var output in response.Outputs)
        {
            var tensor = output.Tensor;
            var message = new Oip.ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = tensor.ElementType.ToWireName() };
            message.Shape.AddRange(tensor.Shape.Select(d => (long)d));
            if (raw)
            {
                answer.RawOutputContents.Add(tensor.ElementType switch
                {
                    TensorElementType.Float32 => ByteString.CopyFrom(MemoryMarshal.AsBytes(tensor.As<float>().Span)),
                    TensorElementType.Int64 => ByteString.CopyFrom(MemoryMarshal.AsBytes(tensor.As<long>().Span)),
                    _ => ByteString.CopyFrom(MemoryMarshal.AsBytes(tensor.As<bool>().Span)),
                });
            }
            else
            {
                message.Contents = new Oip.InferTensorContents();
                switch (tensor.ElementType)
                {
                    case TensorElementType.Float32: message.Contents.Fp32Contents.AddRange(tensor.As<float>().Span.ToArray()); break;
                    case TensorElementType.Int64: message.Contents.Int64Contents.AddRange(tensor.As<long>().Span.ToArray()); break;
                    default: message.Contents.BoolContents.AddRange(tensor.As<bool>().Span.ToArray()); break;
                }
            }
            answer.Outputs.Add(message);
        }
        return answer;
    }

    private static (InferInput?, InferenceError?) Fail(string detail) => (null, InferenceError.BadRequest(detail));

    private static (InferRequest?, InferenceError?) FailRequest(string detail) => (null, InferenceError.BadRequest(detail));
}
