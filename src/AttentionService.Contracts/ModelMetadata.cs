namespace AttentionService.Contracts;

/// <summary>A model in the Open Inference Protocol (KServe v2) metadata form, plus each backend's status.</summary>
/// <param name="Name">Model name, as used in requests.</param>
/// <param name="Platform">Always <c>onnx</c>: every model is an ONNX graph.</param>
/// <param name="Ready">True when a request naming no backend can be served.</param>
/// <param name="Reason">Why the model cannot be served, when it cannot.</param>
/// <param name="Description">The model config's description, else the ONNX doc_string.</param>
/// <param name="Inputs">Graph inputs, by their graph names, whether the model serves or not; -1 in a shape is a dynamic dimension.</param>
/// <param name="Outputs">Graph outputs, likewise.</param>
/// <param name="Binding">How /attend feeds the graph and reads its answer; absent when the model was refused (see Reason).</param>
/// <param name="Parameters">The ONNX metadata_props: how the model scores, its dimensions, its heads.</param>
/// <param name="Backends">Each backend: ready, or why not.</param>
/// <param name="ReloadError">
/// When the model's file changed on disk and the new version could not be loaded: why, and when; the version loaded
/// before keeps serving. Absent otherwise.
/// </param>
/// <param name="Heads">
/// For a multi-head model (its weights have a heads axis after batch): how many heads, from the weights' shape or the
/// <c>attention.heads</c> metadata; <c>/attend</c> answers weights per head or, with <c>"heads": "average"</c>, averaged.
/// Absent for other models.
/// </param>
/// <param name="Forms">
/// The request forms the model takes on /attend: <c>["tensors"]</c> for an attention layer, <c>["text", "tensors"]</c>
/// for a seq2seq model (text is decoded end to end; tensors run one decoder step).
/// </param>
/// <param name="Seq2Seq">For a seq2seq model: its encoder and decoder graphs, vocabulary and limits. Absent otherwise.</param>
public sealed record ModelMetadata(
    string Name,
    string Platform,
    bool Ready,
    string? Reason,
    string? Description,
    IReadOnlyList<TensorMetadata> Inputs,
    IReadOnlyList<TensorMetadata> Outputs,
    BindingMetadata? Binding,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<BackendStatus> Backends,
    ReloadError? ReloadError = null,
    int? Heads = null,
    IReadOnlyList<string>? Forms = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("seq2seq")] Seq2SeqMetadata? Seq2Seq = null);

/// <summary>A change of a model's files on disk that was not loaded.</summary>
/// <param name="Reason">Why the new version cannot serve, naming files relative to the models folder.</param>
/// <param name="At">When the reload was tried (UTC).</param>
public sealed record ReloadError(string Reason, DateTimeOffset At);

/// <summary>One input or output: KServe v2 <c>name</c>, <c>datatype</c> and <c>shape</c> (-1 = dynamic).</summary>
/// <param name="Name">Tensor name in the graph.</param>
/// <param name="Datatype">KServe v2 datatype, e.g. FP32.</param>
/// <param name="Shape">Dimensions; -1 where dynamic.</param>
/// <param name="Dims">Each dimension's name where it is dynamic (batch, tq, tv, d), else its size.</param>
public sealed record TensorMetadata(string Name, string Datatype, long[] Shape, string[] Dims);

/// <summary>How a model's graph is bound to /attend: each role or alias and the graph tensor it names.</summary>
/// <param name="Inputs">query, keys, values, mask and every alias, each with its graph input.</param>
/// <param name="Outputs">context, weights and every alias, each with its graph output (any output may also be asked for by graph name).</param>
/// <param name="MaskMeaning">What the graph's mask input means: attend, ignore or additive; absent when it takes no mask.</param>
/// <param name="Config">The config file the binding came from, when there is one.</param>
public sealed record BindingMetadata(
    IReadOnlyList<BoundTensorMetadata> Inputs,
    IReadOnlyList<BoundTensorMetadata> Outputs,
    string? MaskMeaning,
    string? Config);

/// <summary>One role or alias of a model and the graph tensor it names.</summary>
/// <param name="Name">The role (query, keys, values, mask; context, weights) or the alias a request uses.</param>
/// <param name="Graph">The graph input or output name.</param>
/// <param name="BoundBy">How: <c>name</c> (the graph uses the role name), <c>position</c>, or <c>config</c>.</param>
public sealed record BoundTensorMetadata(string Name, string Graph, string BoundBy);

/// <summary>A backend of a model.</summary>
/// <param name="Name"><c>onnx</c> or <c>managed</c>.</param>
/// <param name="Ready">Loaded and able to run.</param>
/// <param name="Reason">Why it is not ready.</param>
/// <param name="Description">What executes the model when ready, e.g. the ONNX Runtime version and execution provider.</param>
public sealed record BackendStatus(string Name, bool Ready, string? Reason, string? Description);

/// <summary>Every model of the repository.</summary>
/// <param name="Models">Models by name.</param>
public sealed record ModelList(IReadOnlyList<ModelMetadata> Models);
