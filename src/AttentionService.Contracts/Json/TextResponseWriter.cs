using System.IO.Pipelines;
using System.Text.Json;

namespace AttentionService.Contracts.Json;

/// <summary>
/// Writes a <see cref="TextResponse"/> as JSON into the response pipe, flushing after each decoding that leaves more
/// than <see cref="AttendResponseWriter.FlushBytes"/> pending, as the tensor answer streams.
/// </summary>
public static class TextResponseWriter
{
    private static readonly JsonEncodedText Model = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText Backend = JsonEncodedText.Encode("backend");
    private static readonly JsonEncodedText Results = JsonEncodedText.Encode("results");
    private static readonly JsonEncodedText SourceTokens = JsonEncodedText.Encode("sourceTokens");
    private static readonly JsonEncodedText OutputTokens = JsonEncodedText.Encode("outputTokens");
    private static readonly JsonEncodedText Output = JsonEncodedText.Encode("output");
    private static readonly JsonEncodedText Stop = JsonEncodedText.Encode("stop");
    private static readonly JsonEncodedText Context = JsonEncodedText.Encode("context");
    private static readonly JsonEncodedText Weights = JsonEncodedText.Encode("weights");

    /// <summary>Writes the whole answer; false when the connection went away before it was all handed over.</summary>
    public static async Task<bool> WriteAsync(PipeWriter body, TextResponse response, CancellationToken cancellationToken)
    {
        // Not disposed: disposing flushes, and after a hang-up there is nowhere to flush to. It holds nothing native.
        var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteString(Model, response.Model);
        writer.WriteString(Backend, response.Backend);
        if (!response.Batched)
        {
            WriteFields(writer, response.Results[0], response.Include);
        }
        else
        {
            writer.WriteStartArray(Results);
            foreach (var decoding in response.Results)
            {
                writer.WriteStartObject();
                WriteFields(writer, decoding, response.Include);
                writer.WriteEndObject();
                if (writer.BytesPending < AttendResponseWriter.FlushBytes) continue;
                writer.Flush();
                var flushed = await body.FlushAsync(cancellationToken);
                if (flushed.IsCanceled || flushed.IsCompleted) return false;
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.Flush();
        return true;
    }

    private static void WriteFields(Utf8JsonWriter writer, Decoding decoding, AnswerParts include)
    {
        WriteStrings(writer, SourceTokens, decoding.SourceTokens);
        WriteStrings(writer, OutputTokens, decoding.OutputTokens);
        writer.WriteString(Output, decoding.Output);
        writer.WriteString(Stop, decoding.Stop);
        if (include.HasFlag(AnswerParts.Context))
        {
            writer.WritePropertyName(Context);
            TensorJsonWriter.Write(writer, decoding.Context);
        }
        if (include.HasFlag(AnswerParts.Weights))
        {
            writer.WritePropertyName(Weights);
            TensorJsonWriter.Write(writer, decoding.Weights);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<string> strings)
    {
        writer.WriteStartArray(name);
        foreach (var s in strings) writer.WriteStringValue(s);
        writer.WriteEndArray();
    }
}
