using AttentionService.Benchmarks.Models;
using AttentionService.Backends.OnnxRuntime;
using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Benchmarks.Kernels;

/// <summary>
/// ONNX Runtime at its leanest: one session, input OrtValues over pinned managed arrays and output OrtValues over
/// pre-allocated arrays, all created once, so a run is only <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// (or <see cref="InferenceSession.RunWithBinding(RunOptions, OrtIoBinding)"/> over the same values).
/// </summary>
public sealed class RawOrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;
    private readonly OrtIoBinding _binding;

    public RawOrtRunner(AttentionCase c, CaseInputs inputs, int intraOpThreads)
    {
        var model = ModelFiles.Load(c.Model);
        using (var options = OnnxRuntimeSessionOptions.Create(new OnnxRuntimeSettings { IntraOpNumThreads = intraOpThreads }))
            _session = new InferenceSession(model.Bytes, options);
        _inputNames = model.Signature.Inputs.Select(i => i.Name).ToArray();
        _outputNames = model.Signature.Outputs.Select(o => o.Name).ToArray();
        _inputs = inputs.Ordered
            .Select(t => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Memory, Array.ConvertAll(t.Shape, d => (long)d)))
            .ToArray();
        _outputs = _outputNames.Select(name => OutputValue(c, name)).ToArray();
        _binding = _session.CreateIoBinding();
        for (var i = 0; i < _inputs.Length; i++) _binding.BindInput(_inputNames[i], _inputs[i]);
        for (var o = 0; o < _outputs.Length; o++) _binding.BindOutput(_outputNames[o], _outputs[o]);
    }

    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    public void RunWithBinding() => _session.RunWithBinding(_runOptions, _binding);

    /// <summary>The first context element, to check that a run wrote its output.</summary>
    public float FirstContext => _outputs[Array.IndexOf(_outputNames, "context")].GetTensorDataAsSpan<float>()[0];

    private static OrtValue OutputValue(AttentionCase c, string name)
    {
        long[] shape = name switch
        {
            "context" => [c.Batch, c.Tq, c.D],
            "weights" when c.Model == "multihead" => [c.Batch, 4, c.Tq, c.Tv],
            "weights" => [c.Batch, c.Tq, c.Tv],
            _ => throw new InvalidOperationException($"model '{c.Model}' has output '{name}'; cases know context and weights"),
        };
        var length = 1L;
        foreach (var d in shape) length *= d;
        return OrtValue.CreateTensorValueFromMemory(new float[length], shape);
    }

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var value in _inputs) value.Dispose();
        foreach (var value in _outputs) value.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
