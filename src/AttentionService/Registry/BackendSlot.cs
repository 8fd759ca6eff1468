using AttentionService.Core.Backends;

namespace AttentionService.Registry;

/// <summary>One backend of one model: either loaded, or the reason it is not.</summary>
public sealed record BackendSlot(BackendKind Kind, IModelBackend? Backend, string? UnavailableReason)
{
    public bool IsReady => Backend is not null;
}
