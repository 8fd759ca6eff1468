using AttentionService.Configuration;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;

namespace AttentionService.Registry;

/// <summary>
/// A model of the repository as loaded from its file: its signature, its binding to /attend and each backend's state,
/// or why it cannot be served (with its signature still, when the file could be read, so /models shows the graph).
/// A reload builds a new instance beside this one; this one is retired then, and its backends are disposed when the
/// last request holding a lease on it (<see cref="TryLease"/>) ends.
/// </summary>
public sealed class RegisteredModel : IDisposable
{
    // The registry's own reference plus one per lease; the backends go with the last.
    private int _references = 1;
    private int _retired;
    private volatile ReloadFailure? _reloadFailure;

    private RegisteredModel(string name, ModelSignature? signature, ModelBinding? binding, IReadOnlyList<BackendSlot> backends, string? loadError,
        Seq2SeqModel? seq2seq = null, bool takesText = false)
    {
        Name = name;
        Seq2Seq = seq2seq;
        TakesText = takesText || seq2seq is not null;
        Signature = signature;
        Binding = binding;
        Backends = backends;
        LoadError = loadError;
    }

    public string Name { get; }

    /// <summary>The graph's inputs and outputs; null when the file itself could not be read (see <see cref="LoadError"/>).</summary>
    public ModelSignature? Signature { get; }

    /// <summary>How /attend feeds the graph; null when the model was refused (see <see cref="LoadError"/>).</summary>
    public ModelBinding? Binding { get; }

    public IReadOnlyList<BackendSlot> Backends { get; }
    public string? LoadError { get; }

    /// <summary>
    /// For a seq2seq model (a folder with <c>seq2seq.json</c>): its config, vocabulary and encoder; <see cref="Signature"/>
    /// and <see cref="Binding"/> are then its decoder step's, which a tensor request runs once. Null for a layer model,
    /// and for a seq2seq model that was refused.
    /// </summary>
    public Seq2SeqModel? Seq2Seq { get; }

    /// <summary>Whether the model was loaded from a seq2seq folder, so takes text (even when it was refused).</summary>
    public bool TakesText { get; }

    /// <summary>The request forms /attend takes for this model.</summary>
    public IReadOnlyList<string> Forms => TakesText ? TextAndTensors : TensorsOnly;

    private static readonly string[] TensorsOnly = ["tensors"];
    private static readonly string[] TextAndTensors = ["text", "tensors"];

    /// <summary>Why the file's latest version was not loaded, while this (older) one keeps serving; null when none failed.</summary>
    public ReloadFailure? ReloadFailure
    {
        get => _reloadFailure;
        set => _reloadFailure = value;
    }

    /// <summary>
    /// A lease keeping the backends alive until it is disposed (after the answer is written: outputs may refer to
    /// backend memory); false once this model was retired and its last lease ended.
    /// </summary>
    public bool TryLease(out ModelLease lease)
    {
        for (var references = Volatile.Read(ref _references); references > 0; references = Volatile.Read(ref _references))
        {
            if (Interlocked.CompareExchange(ref _references, references + 1, references) != references) continue;
            lease = new ModelLease(this);
            return true;
        }
        lease = null!;
        return false;
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        foreach (var slot in Backends)
        {
            slot.Backend?.Dispose();
            slot.Encoder?.Dispose();
        }
    }

    public static RegisteredModel Loaded(string name, ModelSignature signature, ModelBinding binding, IReadOnlyList<BackendSlot> backends) =>
        new(name, signature, binding, backends, null);

    /// <summary>A seq2seq model: its decoder step's signature and binding, and slots holding both graphs.</summary>
    public static RegisteredModel LoadedSeq2Seq(string name, Seq2SeqModel seq2seq, ModelBinding decoderBinding, IReadOnlyList<BackendSlot> backends) =>
        new(name, seq2seq.Decoder, decoderBinding, backends, null, seq2seq);

    /// <summary>A model that cannot be served: its file unreadable (no signature), or its graph or config refused.</summary>
    public static RegisteredModel Failed(string name, string error, ModelSignature? signature = null, bool takesText = false) =>
        new(name, signature, null, [], error, takesText: takesText);

    public BackendSlot? Slot(BackendKind kind)
    {
        foreach (var slot in Backends)
            if (slot.Kind == kind) return slot;
        return null;
    }

    private static readonly BackendKind[] OnnxOnly = [BackendKind.Onnx];
    private static readonly BackendKind[] ManagedOnly = [BackendKind.Managed];
    private static readonly BackendKind[] OnnxFirst = [BackendKind.Onnx, BackendKind.Managed];
    private static readonly BackendKind[] ManagedFirst = [BackendKind.Managed, BackendKind.Onnx];

    /// <summary>
    /// Backends tried in order for a request that names none, under <paramref name="policy"/>; under Auto a small
    /// request (<paramref name="managedFirst"/>) starts with the managed backend, which is faster there.
    /// </summary>
    public static IReadOnlyList<BackendKind> Route(BackendPolicy policy, bool managedFirst = false) => policy switch
    {
        BackendPolicy.Onnx => OnnxOnly,
        BackendPolicy.Managed => ManagedOnly,
        _ => managedFirst ? ManagedFirst : OnnxFirst,
    };

    /// <summary>True when a request without a backend choice can be served under <paramref name="policy"/>.</summary>
    public bool IsServable(BackendPolicy policy) => Route(policy).Any(kind => Slot(kind)?.IsReady == true);

    /// <summary>Why this model cannot be served under <paramref name="policy"/>, or null when it can.</summary>
    public string? UnservableReason(BackendPolicy policy)
    {
        if (LoadError is not null) return LoadError;
        if (IsServable(policy)) return null;
        return string.Join("; ", Route(policy).Select(kind => $"{kind.ToWireName()}: {Slot(kind)?.UnavailableReason ?? "not configured"}"));
    }

    /// <summary>Retires the model: its backends are disposed now, or when the last lease ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0) Release();
    }
}
