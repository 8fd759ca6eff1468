using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AttentionService.Tests.OpenInference;

/// <summary>Builds Open Inference Protocol requests and reads their answers, JSON or binary, as a client would.</summary>
public static class V2Client
{
    public const string HeaderLength = "Inference-Header-Content-Length";

    /// <summary>An input with flat JSON data.</summary>
    public static JsonObject Input(string name, string datatype, int[] shape, IEnumerable<JsonNode?> data) => new()
    {
        ["name"] = name,
        ["datatype"] = datatype,
        ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
        ["data"] = new JsonArray(data.ToArray()),
    };

    public static JsonObject Fp32(string name, int[] shape, float[] data) => Input(name, "FP32", shape, data.Select(x => (JsonNode?)x));

    public static JsonObject Request(params JsonObject[] inputs) => new() { ["inputs"] = new JsonArray(inputs) };

    public static string InferPath(string model, string? version = null) =>
        version is null ? $"/v2/models/{model}/infer" : $"/v2/models/{model}/versions/{version}/infer";

    public static Task<HttpResponseMessage> InferAsync(this HttpClient client, string model, JsonObject body, string? version = null) =>
        client.PostAsync(InferPath(model, version), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

    /// <summary>A body under the binary tensor data extension: the JSON, then each binary input's bytes in order.</summary>
    public static HttpContent Binary(JsonObject json, params byte[][] blobs)
    {
        var header = Encoding.UTF8.GetBytes(json.ToJsonString());
        var content = new ByteArrayContent([.. header, .. blobs.SelectMany(b => b)]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(HeaderLength, header.Length.ToString());
        return content;
    }

    /// <summary>An input whose data is sent as <paramref name="bytes"/> after the JSON.</summary>
    public static JsonObject BinaryInput(string name, string datatype, int[] shape, int bytes) => new()
    {
        ["name"] = name,
        ["datatype"] = datatype,
        ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
        ["parameters"] = new JsonObject { ["binary_data_size"] = bytes },
    };

    public static byte[] LittleEndian(float[] data)
    {
        var bytes = new byte[data.Length * 4];
        for (var i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
        return bytes;
    }

    /// <summary>An answer's outputs by name: shape and numbers, from JSON data or from the binary section.</summary>
    public sealed record Answer(JsonObject Json, Dictionary<string, (int[] Shape, string Datatype, double[] Data, bool Binary)> Outputs);

    public static async Task<Answer> ReadAnswerAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var headerLength = response.Headers.TryGetValues(HeaderLength, out var values) ? int.Parse(values.Single()) : bytes.Length;
        var json = JsonNode.Parse(bytes.AsSpan(0, headerLength))!.AsObject();
        var offset = headerLength;
        var outputs = new Dictionary<string, (int[], string, double[], bool)>();
        foreach (var output in json["outputs"]!.AsArray())
        {
            var shape = output!["shape"]!.AsArray().Select(d => (int)d!).ToArray();
            var datatype = (string)output["datatype"]!;
            if (output["parameters"]?["binary_data_size"] is { } size)
            {
                Assert.Equal("FP32", datatype);
                var data = Floats(bytes, offset, (int)size);
                offset += (int)size;
                outputs[(string)output["name"]!] = (shape, datatype, data, true);
            }
            else
            {
                outputs[(string)output["name"]!] = (shape, datatype, output["data"]!.AsArray().Select(x => (double)(float)x!).ToArray(), false);
            }
        }
        Assert.Equal(bytes.Length, offset);
        return new Answer(json, outputs);
    }

    private static double[] Floats(byte[] bytes, int offset, int size) =>
        Enumerable.Range(0, size / 4).Select(i => (double)BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset + i * 4))).ToArray();
}
