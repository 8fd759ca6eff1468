using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using AttentionService.Core.Tensors;
using Microsoft.Extensions.ObjectPool;

namespace AttentionService.Contracts.Json;

/// <summary>
/// Writes an <see cref="AttendResponse"/> as JSON straight into the response pipe, flushing every
/// <see cref="FlushBytes"/> so a large answer starts to leave at once and is never held whole in memory (a
/// 512 × 512 answer is 3.7 MB of text). The text is what nested JSON arrays of the same numbers are.
/// </summary>
public static class AttendResponseWriter
{
    /// <summary>Bytes buffered before they are handed to the connection.</summary>
    public const int FlushBytes = 64 * 1024;

    private static readonly JsonEncodedText Model = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText Backend = JsonEncodedText.Encode("backend");
    private static readonly JsonEncodedText Context = JsonEncodedText.Encode("context");
    private static readonly JsonEncodedText Weights = JsonEncodedText.Encode("weights");
    private static readonly JsonEncodedText Outputs = JsonEncodedText.Encode("outputs");
    private static readonly JsonEncodedText Tokens = JsonEncodedText.Encode("tokens");
    private static readonly JsonEncodedText QueryTokens = JsonEncodedText.Encode("query");
    private static readonly JsonEncodedText KeysTokens = JsonEncodedText.Encode("keys");

    /// <summary>Writers between answers, pointed at nothing: one per answer in flight, not one allocated per answer.</summary>
    private static readonly ObjectPool<Utf8JsonWriter> Writers = new DefaultObjectPool<Utf8JsonWriter>(new WriterPolicy());

    private static readonly ArrayBufferWriter<byte> NoOutput = new(1);

    /// <summary>
    /// Writes the whole answer into <paramref name="body"/>; false when the connection went away (or
    /// <paramref name="cancellationToken"/> fired) before it was all handed over, so the caller can end the response as cut.
    /// </summary>
    public static async Task<bool> WriteAsync(PipeWriter body, AttendResponse response, CancellationToken cancellationToken)
    {
        var writer = Writers.Get();
        writer.Reset(body);
        try
        {
            WriteStart(writer, response);
            if (response.Tokens is { } tokens && !await WriteTokensAsync(writer, body, tokens, cancellationToken)) return false;
            if (response.Context is { } context)
            {
                writer.WritePropertyName(Context);
                if (!await WriteTensorAsync(writer, body, context, cancellationToken)) return false;
            }
            if (response.Weights is { } weights)
            {
                writer.WritePropertyName(Weights);
                if (!await WriteTensorAsync(writer, body, weights, cancellationToken)) return false;
            }
            if (response.Outputs is { } outputs)
            {
                writer.WritePropertyName(Outputs);
                writer.WriteStartObject();
                foreach (var (name, tensor) in outputs)
                {
                    writer.WritePropertyName(name);
                    var written = tensor.ElementType switch
                    {
                        TensorElementType.Float32 => await WriteTensorAsync(writer, body, tensor.As<float>(), cancellationToken),
                        TensorElementType.Int64 => await WriteTensorAsync(writer, body, tensor.As<long>(), cancellationToken),
                        _ => await WriteTensorAsync(writer, body, tensor.As<bool>(), cancellationToken),
                    };
                    if (!written) return false;
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            writer.Flush();
            return true;
        }
        finally
        {
            // Never disposed (disposing flushes, and after a hang-up there is nowhere to flush to): reset, which drops
            // what is pending, and the pipe is no longer referenced.
            writer.Reset(NoOutput);
            Writers.Return(writer);
        }
    }

    private sealed class WriterPolicy : PooledObjectPolicy<Utf8JsonWriter>
    {
        public override Utf8JsonWriter Create() => new(NoOutput);

        public override bool Return(Utf8JsonWriter writer) => true;
    }

    private static void WriteStart(Utf8JsonWriter writer, AttendResponse response)
    {
        writer.WriteStartObject();
        writer.WriteString(Model, response.Model);
        writer.WriteString(Backend, response.Backend);
    }

    /// <summary>The request's labels, flushed as the tensors are: thousands of long labels make a large answer too.</summary>
    private static async ValueTask<bool> WriteTokensAsync(Utf8JsonWriter writer, PipeWriter body, TokenLabels tokens, CancellationToken cancellationToken)
    {
        writer.WritePropertyName(Tokens);
        writer.WriteStartObject();
        if (tokens.Query is { } query && !await WriteLabelsAsync(writer, body, QueryTokens, query, cancellationToken)) return false;
        if (tokens.Keys is { } keys && !await WriteLabelsAsync(writer, body, KeysTokens, keys, cancellationToken)) return false;
        writer.WriteEndObject();
        return true;
    }

    private static async ValueTask<bool> WriteLabelsAsync(Utf8JsonWriter writer, PipeWriter body, JsonEncodedText name, IReadOnlyList<string> labels,
        CancellationToken cancellationToken)
    {
        writer.WriteStartArray(name);
        var flushedUpTo = writer.BytesCommitted;
        for (var i = 0; i < labels.Count; i++)
        {
            writer.WriteStringValue(labels[i]);
            if (writer.BytesCommitted + writer.BytesPending - flushedUpTo < FlushBytes) continue;
            writer.Flush();
            flushedUpTo = writer.BytesCommitted;
            var flushed = await body.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted) return false;
        }
        writer.WriteEndArray();
        return true;
    }

    /// <summary>False when the connection is gone and writing should stop.</summary>
    private static async ValueTask<bool> WriteTensorAsync<T>(Utf8JsonWriter writer, PipeWriter body, TensorView<T> tensor, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var flushedUpTo = writer.BytesCommitted;
        var rows = TensorJsonWriter.RowCount(tensor);
        if (rows == 0)
        {
            TensorJsonWriter.Write(writer, tensor);
            return true;
        }
        // About FlushBytes of text a chunk, at ~12 bytes a number.
        var rowsPerChunk = Math.Max(1, FlushBytes / 12 / tensor.Shape[^1]);
        for (var from = 0; from < rows; from += rowsPerChunk)
        {
            TensorJsonWriter.WriteRows(writer, tensor, from, Math.Min(rows, from + rowsPerChunk));
            // The writer hands full buffers to the pipe as it goes, but the pipe sends only what is flushed.
            if (writer.BytesCommitted + writer.BytesPending - flushedUpTo < FlushBytes) continue;
            writer.Flush();
            flushedUpTo = writer.BytesCommitted;
            var flushed = await body.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted) return false;
        }
        return true;
    }
}
