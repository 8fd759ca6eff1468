using AttentionService.Contracts;
using AttentionService.Core.Backends;

namespace AttentionService.Inference;

/// <summary>
/// What the text pipeline made of a request: an answer whose tensors are views of the decodings this outcome owns
/// (dispose it once the answer is written; it holds the model's lease until then), or an error.
/// </summary>
public sealed class TextOutcome : IDisposable
{
    private readonly DecodedSource[]? _results;
    private IDisposable? _lease;

    private TextOutcome(TextResponse? response, InferenceError? error, string? model, BackendKind? backend, DecodedSource[]? results)
    {
        Response = response;
        Error = error;
        Model = model;
        Backend = backend;
        _results = results;
    }

    public TextResponse? Response { get; }

    public InferenceError? Error { get; }

    public string? Model { get; }

    public BackendKind? Backend { get; }

    public static TextOutcome Answered(TextResponse response, BackendKind backend, DecodedSource[] results) =>
        new(response, null, response.Model, backend, results);

    public static TextOutcome Failed(InferenceError error, string? model = null) => new(null, error, model, null, null);

    /// <summary>Keeps <paramref name="lease"/> until this outcome is disposed, after the answer is written.</summary>
    public void Hold(IDisposable lease) => _lease = lease;

    public void Dispose()
    {
        foreach (var result in _results ?? []) result.Dispose();
        Interlocked.Exchange(ref _lease, null)?.Dispose();
    }
}
