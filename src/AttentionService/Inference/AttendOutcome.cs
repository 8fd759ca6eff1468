using AttentionService.Contracts;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;

namespace AttentionService.Inference;

/// <summary>
/// What the pipeline made of a request: an answer whose tensors are views of the outputs this outcome owns (dispose it
/// once the answer is written; it holds the model's lease until then), or an error. <see cref="Model"/> is set once a
/// model was chosen, for the request's log.
/// </summary>
public sealed class AttendOutcome : IDisposable
{
    private readonly RentedOutputs? _outputs;
    private readonly IDisposable? _derived;
    private IDisposable? _lease;

    private AttendOutcome(AttendResponse? response, InferenceError? error, string? model, BackendKind? backend, RentedOutputs? outputs,
        IDisposable? derived = null)
    {
        _derived = derived;
        Response = response;
        Error = error;
        Model = model;
        Backend = backend;
        _outputs = outputs;
    }

    public AttendResponse? Response { get; }

    public InferenceError? Error { get; }

    public string? Model { get; }

    /// <summary>The backend that ran, when one did.</summary>
    public BackendKind? Backend { get; }

    /// <summary>An answer over <paramref name="outputs"/> and, when it has one, a tensor derived from them (averaged weights), both owned from here on.</summary>
    public static AttendOutcome Answered(AttendResponse response, BackendKind backend, RentedOutputs outputs, IDisposable? derived = null) =>
        new(response, null, response.Model, backend, outputs, derived);

    public static AttendOutcome Failed(InferenceError error, string? model = null) => new(null, error, model, null, null);

    /// <summary>Keeps <paramref name="lease"/> (on the model that answered) until this outcome is disposed, after the answer is written.</summary>
    public void Hold(IDisposable lease) => _lease = lease;

    public void Dispose()
    {
        _outputs?.Dispose();
        _derived?.Dispose();
        Interlocked.Exchange(ref _lease, null)?.Dispose();
    }
}
