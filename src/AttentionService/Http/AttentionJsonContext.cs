using System.Text.Json;
using System.Text.Json.Serialization;
using AttentionService.Contracts;
using AttentionService.Contracts.OpenInference;

namespace AttentionService.Http;

/// <summary>Source-generated serialization for the /models and /v2 metadata answers (/attend and /v2 infer answers are streamed by their own writers).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelMetadata))]
[JsonSerializable(typeof(ServerMetadataResponse))]
[JsonSerializable(typeof(ModelMetadataResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(LiveResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(ModelReadyResponse))]
internal sealed partial class AttentionJsonContext : JsonSerializerContext;
