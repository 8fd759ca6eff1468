using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text.Json;
using AttentionService.Contracts.Json;
using AttentionService.Core.Tensors;
using Microsoft.AspNetCore.Http;

namespace AttentionService.Contracts.OpenInference;

/// <summary>
/// Writes an <see cref="InferResponse"/>: JSON with flat data streamed into the pipe (flushed every
/// <see cref="AttendResponseWriter.FlushBytes"/>), or, when an output is binary, a small JSON header (its length in
/// <c>Inference-Header-Content-Length</c>) followed by each binary output's little-endian bytes in order.
/// </summary>
public static class InferResponseWriter
{
    /// <summary>Elements written between checks of how much text is pending.</summary>
    private const int Chunk = 4096;

    /// <summary>Sets the status line's headers and writes the body; false when the connection went away first.</summary>
    public static async Task<bool> WriteAsync(HttpResponse answer, InferResponse response, CancellationToken cancellationToken)
    {
        var body = answer.BodyWriter;
        if (!response.Outputs.Any(o => o.Binary))
        {
            answer.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(body);
            return await WriteJsonAsync(json, body, response, cancellationToken);
        }
        var header = new ArrayBufferWriter<byte>(1024);
        await using (var json = new Utf8JsonWriter(header))
            await WriteJsonAsync(json, null, response, cancellationToken);
        answer.ContentType = "application/octet-stream";
        answer.Headers[InferRequestReader.HeaderLengthHeader] = header.WrittenCount.ToString();
        answer.ContentLength = header.WrittenCount + response.Outputs.Where(o => o.Binary).Sum(o => (long)Bytes(o.Tensor).Length);
        body.Write(header.WrittenSpan);
        foreach (var output in response.Outputs.Where(o => o.Binary))
        {
            var flushed = await body.WriteAsync(Bytes(output.Tensor), cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted) return false;
        }
        return true;
    }

    /// <summary>The JSON object; with <paramref name="body"/> null the binary outputs carry their size instead of data.</summary>
    private static async Task<bool> WriteJsonAsync(Utf8JsonWriter writer, PipeWriter? body, InferResponse response, CancellationToken cancellationToken)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name", response.ModelName);
        if (response.ModelVersion is { } version) writer.WriteString("model_version", version);
        if (response.Id is { } id) writer.WriteString("id", id);
        writer.WriteStartObject("parameters");
        writer.WriteString("backend", response.Backend);
        writer.WriteEndObject();
        writer.WriteStartArray("outputs");
        foreach (var output in response.Outputs)
        {
            var tensor = output.Tensor;
            writer.WriteStartObject();
            writer.WriteString("name", output.Name);
            writer.WriteString("datatype", tensor.ElementType.ToWireName());
            writer.WriteStartArray("shape");
            foreach (var d in tensor.Shape) writer.WriteNumberValue(d);
            writer.WriteEndArray();
            if (output.Binary)
            {
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", Bytes(tensor).Length);
                writer.WriteEndObject();
            }
            else
            {
                writer.WritePropertyName("data");
                var written = tensor.ElementType switch
                {
                    TensorElementType.Float32 => await WriteFlatAsync(writer, body, tensor.As<float>(), cancellationToken),
                    TensorElementType.Int64 => await WriteFlatAsync(writer, body, tensor.As<long>(), cancellationToken),
                    _ => await WriteFlatAsync(writer, body, tensor.As<bool>(), cancellationToken),
                };
                if (!written) return false;
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        return true;
    }

    /// <summary>The elements as one flat array in row-major order, flushed to <paramref name="body"/> as the text grows.</summary>
    private static async ValueTask<bool> WriteFlatAsync<T>(Utf8JsonWriter writer, PipeWriter? body, TensorView<T> tensor, CancellationToken cancellationToken)
        where T : unmanaged
    {
        writer.WriteStartArray();
        var flushedUpTo = writer.BytesCommitted;
        for (var from = 0; from < tensor.Length; from += Chunk)
        {
            TensorJsonWriter.WriteScalars(writer, tensor.Span.Slice(from, Math.Min(Chunk, tensor.Length - from)));
            if (body is null || writer.BytesCommitted + writer.BytesPending - flushedUpTo < AttendResponseWriter.FlushBytes) continue;
            writer.Flush();
            flushedUpTo = writer.BytesCommitted;
            var flushed = await body.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted) return false;
        }
        writer.WriteEndArray();
        return true;
    }

    /// <summary>A tensor's elements as little-endian bytes (BOOL one byte each, 0 or 1), as the extension sends them.</summary>
    private static ReadOnlyMemory<byte> Bytes(TensorView tensor) => tensor.ElementType switch
    {
        TensorElementType.Float32 => AsBytes(tensor.As<float>()),
        TensorElementType.Int64 => AsBytes(tensor.As<long>()),
        _ => AsBytes(tensor.As<bool>()),
    };

    private static ReadOnlyMemory<byte> AsBytes<T>(TensorView<T> tensor) where T : unmanaged =>
        new CastMemoryManager<T>(tensor.Memory).Memory;

    /// <summary>Views a tensor's memory as bytes without copying (the platform is little-endian, as the extension's byte order is).</summary>
    private sealed class CastMemoryManager<T>(Memory<T> memory) : MemoryManager<byte> where T : unmanaged
    {
        public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(memory.Span);

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin() { }

        protected override void Dispose(bool disposing) { }
    }
}
