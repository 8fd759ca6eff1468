using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AttentionService.Tests.Support;

/// <summary>Builds /attend bodies from jagged arrays and reads answers back into them.</summary>
public static class AttendClient
{
    public static async Task<HttpResponseMessage> PostAttendAsync(this HttpClient client, object body) =>
        await client.PostAsJsonAsync("/attend", body);

    /// <summary>Posts <paramref name="body"/> as UTF-8 with the Content-Type header exactly as given (parameters included).</summary>
    public static async Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string body, string contentType = "application/json")
    {
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return await client.PostAsync("/attend", content);
    }

    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject)!;

    public static float[][] Matrix(JsonNode? node) =>
        node!.AsArray().Select(row => row!.AsArray().Select(x => x!.GetValue<float>()).ToArray()).ToArray();

    public static float[][][] Batch(JsonNode? node) => node!.AsArray().Select(Matrix).ToArray();

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
