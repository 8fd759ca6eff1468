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
        /// <summary>The factory throws: no session.</summary>
        CannotCreate,

        /// <summary>Every run fails, the warm-up run at load included.</summary>
        EveryRunFails,

        /// <summary>The warm-up at load succeeds, then every request's run fails.</summary>
        RequestRunsFail,
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

        public BackendStatus Status => inner.Status;

        public IModelBackend Create(ModelSource model) => fault == Fault.CannotCreate
            ? throw new BackendUnavailableException($"injected: {Kind} cannot create a session")
            : new FailingBackend(inner.Create(model), fault);
    }

    private sealed class FailingBackend(IModelBackend inner, Fault fault) : IModelBackend
    {
        public BackendKind Kind => inner.Kind;

        public string Description => inner.Description;

        public ModelSignature Signature => inner.Signature;

        // The warm-up at load runs without a cancellable token; requests always carry the request's token.
        public void Run(ReadOnlySpan<TensorView> inputs, RunOutputs outputs, CancellationToken cancellationToken)
        {
            if (fault == Fault.RequestRunsFail && !cancellationToken.CanBeCanceled) inner.Run(inputs, outputs, cancellationToken);
            else throw new InvalidOperationException($"injected: {Kind} run failed");
        }

        public void Dispose() => inner.Dispose();
    }
}
