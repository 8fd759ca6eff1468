using AttentionService.Core.Models;

namespace AttentionService.Core.Backends;

/// <summary>Creates a backend for a model; throws <see cref="BackendUnavailableException"/> saying why it cannot.</summary>
public interface IBackendFactory
{
    BackendKind Kind { get; }

    /// <summary>
    /// The backend's condition in this process. <see cref="BackendCondition.Unavailable"/> is known before any model is
    /// loaded (the registry then asks <see cref="Create"/> for none); <see cref="BackendCondition.Degraded"/> may only be
    /// learned while the first models load.
    /// </summary>
    BackendStatus Status { get; }

    IModelBackend Create(ModelSource model);
}
