using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using Microsoft.Extensions.DependencyInjection;

namespace AttentionService.Tests.Support;

/// <summary>
/// Wraps every real backend so a run first waits at a gate the test opens, honouring the request's cancellation
/// token: a deterministic way to hold inferences in flight for overload, timeout and disconnect tests.
/// </summary>
public sealed class GatedBackends
{
    private readonly SemaphoreSlim _gate = new(0);
    private int _entered;
    private int _cancelled;

    /// <summary>Runs that reached the gate.</summary>
    public int Entered => Volatile.Read(ref _entered);

    /// <summary>Runs whose token was cancelled while waiting.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    public void Open(int runs) => _gate.Release(runs);

    public void Install(IServiceCollection services)
    {
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(IBackendFactory)).ToArray())
        {
            services.Remove(descriptor);
            services.AddSingleton<IBackendFactory>(sp =>
                new GatedFactory((IBackendFactory)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!), this));
        }
    }

    public async Task WaitUntilEnteredAsync(int runs)
    {
        for (var i = 0; i < 500 && Entered < runs; i++) await Task.Delay(10);
        Assert.True(Entered >= runs, $"{Entered} runs reached the gate, expected {runs}");
    }

    private sealed class GatedFactory(IBackendFactory inner, GatedBackends gate) : IBackendFactory
    {
        public BackendKind Kind => inner.Kind;

        public IModelBackend Create(ModelSource model) => new GatedBackend(inner.Create(model), gate);
    }

    private sealed class GatedBackend(IModelBackend inner, GatedBackends gate) : IModelBackend
    {
        public BackendKind Kind => inner.Kind;

        public string Description => inner.Description;

        public ModelSignature Signature => inner.Signature;

        public void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs, CancellationToken cancellationToken)
        {
            // The warm-up at load runs without a cancellable token and passes straight through.
            if (!cancellationToken.CanBeCanceled)
            {
                inner.Run(inputs, outputs, cancellationToken);
                return;
            }
            Interlocked.Increment(ref gate._entered);
            try
            {
                gate._gate.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref gate._cancelled);
                throw;
            }
            inner.Run(inputs, outputs, cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }
}
