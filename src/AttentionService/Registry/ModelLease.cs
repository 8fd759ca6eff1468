namespace AttentionService.Registry;

/// <summary>
/// A request's hold on a <see cref="RegisteredModel"/>: its backends stay alive, even past a reload, until this is
/// disposed.
/// </summary>
public sealed class ModelLease : IDisposable
{
    private RegisteredModel? _model;

    internal ModelLease(RegisteredModel model) => _model = model;

    public RegisteredModel Model => _model ?? throw new ObjectDisposedException(nameof(ModelLease));

    public void Dispose() => Interlocked.Exchange(ref _model, null)?.Release();
}
