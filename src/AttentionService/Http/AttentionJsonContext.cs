using System.Text.Json;
using System.Text.Json.Serialization;
using AttentionService.Contracts;

namespace AttentionService.Http;

/// <summary>Source-generated serialization for the /models answers (an /attend answer is streamed by its own writer).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelMetadata))]
internal sealed partial class AttentionJsonContext : JsonSerializerContext;
