using AttentionService.Core.Backends;

namespace AttentionService.Registry;

/// <summary>
/// One backend of one model: either loaded, or the reason it is not. For a seq2seq model <see cref="Backend"/> is its
/// decoder-step graph and <see cref="Encoder"/> its encoder graph, both on this backend (the slot is ready only with both).
/// </summary>
public sealed record BackendSlot(BackendKind Kind, IModelBackend? Backend, string? UnavailableReason, IModelBackend? Encoder = null)
{
    public bool IsReady => Backend is not null;
}
