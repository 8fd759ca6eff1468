using AttentionService.Backends.Managed.Execution;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;

namespace AttentionService.Backends.Managed;

/// <summary>Compiles a model for the managed backend, or says (via <see cref="BackendUnavailableException"/>) why it cannot.</summary>
public sealed class ManagedBackendFactory : IBackendFactory
{
    public BackendKind Kind => BackendKind.Managed;

    /// <summary>Managed code runs wherever .NET does.</summary>
    public BackendStatus Status => BackendStatus.Available;

    public IModelBackend Create(ModelSource model)
    {
        try
        {
            return new ManagedBackend(PlanCompiler.Compile(model.Proto, model.Signature), model.Signature);
        }
        catch (InvalidDataException e)
        {
            throw new BackendUnavailableException($"model '{model.Name}' cannot be read by the managed backend: {e.Message}", e);
        }
        catch (OverflowException e)
        {
            throw new BackendUnavailableException($"model '{model.Name}' has an initializer too large for the managed backend: {e.Message}", e);
        }
    }
}
