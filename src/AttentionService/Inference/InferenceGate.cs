using System.Threading.RateLimiting;
using AttentionService.Configuration;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>
/// Bounds the inferences executing at once, as an inference server bounds a model's instances: at most
/// <see cref="ConcurrencyOptions.EffectiveMaxConcurrentRuns"/> run, <see cref="ConcurrencyOptions.QueueLength"/>
/// more wait (oldest first), and the rest are refused at once. Only the backend run is gated, not reading the body or
/// writing the answer: when the gate wrapped the whole request, 16 clients on 2 permits meant 14 queued requests each
/// resumed on another thread, 9 context switches a request against 2 without it.
/// </summary>
public sealed class InferenceGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public InferenceGate(IOptions<AttentionOptions> options)
    {
        var concurrency = options.Value.Concurrency;
        Permits = concurrency.EffectiveMaxConcurrentRuns;
        QueueLength = concurrency.QueueLength;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Permits,
            QueueLimit = QueueLength,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public int Permits { get; }

    public int QueueLength { get; }

    /// <summary>
    /// A slot to run one inference, held until the lease is disposed; a lease that is not acquired means the slots and
    /// the queue are full. Completes synchronously whenever a slot is free.
    /// </summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) => _limiter.AcquireAsync(1, cancellationToken);

    public void Dispose() => _limiter.Dispose();
}
