using System.Text.Json;
using System.Text.Json.Serialization;
using AttentionService.Http.Contracts;

namespace AttentionService.Benchmarks.Json;

/// <summary>The host's serialization settings for the answer (AttentionJsonContext), without the /models types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AttendResponse))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
