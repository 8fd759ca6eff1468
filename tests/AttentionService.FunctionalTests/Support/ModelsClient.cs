using System.Text.Json.Nodes;

namespace AttentionService.Tests.Support;

/// <summary>Reads GET answers (/models, /models/{name}) as JSON objects.</summary>
public static class ModelsClient
{
    public static async Task<JsonObject> GetObjectAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
