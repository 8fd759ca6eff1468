using System.Text.Json;
using System.Text.Json.Serialization;
using AttentionService.Http.Contracts;

namespace AttentionService.Http.Json;

/// <summary>Source-generated serialization for the answers (no reflection on the hot path).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AttendResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelMetadata))]
internal sealed partial class AttentionJsonContext : JsonSerializerContext;
