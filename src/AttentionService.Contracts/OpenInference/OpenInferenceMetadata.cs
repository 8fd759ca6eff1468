namespace AttentionService.Contracts.OpenInference;

/// <summary><c>GET /v2</c>: the server's name, version and the protocol extensions it supports.</summary>
public sealed record ServerMetadataResponse(string Name, string Version, string[] Extensions);

/// <summary>
/// <c>GET /v2/models/{name}</c>: the graph's inputs and outputs (-1 for a dynamic dimension), the versions that may be
/// asked for, the platform, and <c>properties</c>: the backends that serve it and its description.
/// </summary>
public sealed record ModelMetadataResponse(
    string Name, string[] Versions, string Platform, MetadataTensor[] Inputs, MetadataTensor[] Outputs, IReadOnlyDictionary<string, string> Properties);

public sealed record MetadataTensor(string Name, string Datatype, long[] Shape);

/// <summary>Every /v2 error: what is wrong, with the HTTP status saying how.</summary>
public sealed record ErrorResponse(string Error);

/// <summary><c>GET /v2/health/live</c>.</summary>
public sealed record LiveResponse(bool Live);

/// <summary><c>GET /v2/health/ready</c>: <c>ready</c> as /health/ready answers, with its status (Healthy, Degraded, Unhealthy).</summary>
public sealed record ReadyResponse(bool Live, bool Ready, string Status);

/// <summary><c>GET /v2/models/{name}/ready</c>.</summary>
public sealed record ModelReadyResponse(string Name, bool Ready);
