using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AttentionService.Tests.Support;

/// <summary>Builds /attend bodies from jagged arrays and reads answers back into them.</summary>
public static class AttendClient
{
    public static async Task<HttpResponseMessage> PostAttendAsync(this HttpClient client, object body) =>
        await client.PostAsJsonAsync("/attend", body);

    public static async Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string body, string contentType = "application/json") =>
        await client.PostAsync("/attend", new StringContent(body, System.Text.Encoding.UTF8, contentType));

    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject)!;

    public static float[][] Matrix(JsonNode? node) =>
        node!.AsArray().Select(row => row!.AsArray().Select(x => x!.GetValue<float>()).ToArray()).ToArray();

    public static float[][][] Batch(JsonNode? node) => node!.AsArray().Select(Matrix).ToArray();

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
