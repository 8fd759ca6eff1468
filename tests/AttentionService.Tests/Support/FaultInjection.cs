using Microsoft.Extensions.DependencyInjection;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Tests.Support;

/// <summary>
/// Wraps a real backend factory to inject faults: sessions that cannot be created, or runs that fail. The wrapped
/// factory and its backends are the real ones; only the failure is added.
/// </summary>
public static class FaultInjection
{
    public enum Fault
    {
        CannotCreate,
        RunsFail,
    }

    public static void InjectFault(this IServiceCollection services, BackendKind kind, Fault fault)
    {
        var descriptor = services.Single(d => d.ServiceType == typeof(IBackendFactory)
            && d.ImplementationType is { } type && CreateKind(type) == kind);
        services.Remove(descriptor);
        services.AddSingleton<IBackendFactory>(sp =>
            new FaultyFactory((IBackendFactory)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!), fault));
    }

    private static BackendKind CreateKind(Type factoryType) =>
        factoryType.Name.Contains("Managed") ? BackendKind.Managed : BackendKind.Onnx;

    private sealed class FaultyFactory(IBackendFactory inner, Fault fault) : IBackendFactory
    {
        public BackendKind Kind => inner.Kind;

        public IModelBackend Create(ModelSource model) => fault == Fault.CannotCreate
            ? throw new BackendUnavailableException($"injected: {Kind} cannot create a session")
            : new FailingBackend(inner.Create(model));
    }

    private sealed class FailingBackend(IModelBackend inner) : IModelBackend
    {
        public BackendKind Kind => inner.Kind;

        public Tensor[] Run(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"injected: {Kind} run failed");

        public void Dispose() => inner.Dispose();
    }
}
