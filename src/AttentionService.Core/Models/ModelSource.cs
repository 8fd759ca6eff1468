using AttentionService.Onnx.Protos;

namespace AttentionService.Core.Models;

/// <summary>A model file read once from the repository: its bytes, the parsed graph, and its signature.</summary>
public sealed record ModelSource(string Name, string Path, byte[] Bytes, ModelProto Proto, ModelSignature Signature);
