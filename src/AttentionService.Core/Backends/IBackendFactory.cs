using AttentionService.Core.Models;

namespace AttentionService.Core.Backends;

/// <summary>Creates a backend for a model; throws <see cref="BackendUnavailableException"/> saying why it cannot.</summary>
public interface IBackendFactory
{
    BackendKind Kind { get; }

    IModelBackend Create(ModelSource model);
}
