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
    /// <summary>How long a test waits for runs to arrive or be cancelled before it fails.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(0);
    private readonly List<(Func<bool> Reached, TaskCompletionSource Signal)> _waiters = [];
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

    public Task WaitUntilEnteredAsync(int runs) =>
        WaitUntilAsync(() => Entered >= runs, () => $"{Entered} runs reached the gate, expected {runs}");

    public Task WaitUntilCancelledAsync(int runs) =>
        WaitUntilAsync(() => Cancelled >= runs, () => $"{Cancelled} runs were cancelled at the gate, expected {runs}");

    /// <summary>Completes as soon as a run's arrival or cancellation makes <paramref name="reached"/> true.</summary>
    private async Task WaitUntilAsync(Func<bool> reached, Func<string> shortfall)
    {
        TaskCompletionSource signal;
        lock (_waiters)
        {
            if (reached()) return;
            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((reached, signal));
        }
        try
        {
            await signal.Task.WaitAsync(MaxWait);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"after {MaxWait.TotalSeconds} s, {shortfall()}");
        }
    }

    /// <summary>Called after every change to a count: wakes the waits whose condition now holds.</summary>
    private void Notify()
    {
        lock (_waiters)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Reached()) continue;
                _waiters[i].Signal.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private sealed class GatedFactory(IBackendFactory inner, GatedBackends gate) : IBackendFactory
    {
        public BackendKind Kind => inner.Kind;

        public BackendStatus Status => inner.Status;

        public IModelBackend Create(ModelSource model) => new GatedBackend(inner.Create(model), gate);
    }

    private sealed class GatedBackend(IModelBackend inner, GatedBackends gate) : IModelBackend
    {
        public BackendKind Kind => inner.Kind;

        public string Description => inner.Description;

        public ModelSignature Signature => inner.Signature;

        public void Run(ReadOnlySpan<TensorView> inputs, RunOutputs outputs, CancellationToken cancellationToken)
        {
            // The warm-up at load runs without a cancellable token and passes straight through.
            if (!cancellationToken.CanBeCanceled)
            {
                inner.Run(inputs, outputs, cancellationToken);
                return;
            }
            Interlocked.Increment(ref gate._entered);
            gate.Notify();
            try
            {
                gate._gate.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref gate._cancelled);
                gate.Notify();
                throw;
            }
            inner.Run(inputs, outputs, cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }
}
