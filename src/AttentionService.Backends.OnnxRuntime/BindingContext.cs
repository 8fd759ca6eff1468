using AttentionService.Core.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// What one destination-passing run hands ONNX Runtime: an <see cref="OrtIoBinding"/> over OrtValues that pin the
/// caller's input and output buffers, and its own <see cref="RunOptions"/>. A run whose tensors have the same
/// buffers and shapes as the last run on this context reuses all of it and allocates nothing; otherwise the side that
/// changed is rebound. Used by one run at a time; pins the last buffers bound until rebound or disposed.
/// </summary>
internal sealed class BindingContext : IDisposable
{
    private readonly OrtIoBinding _binding;
    private readonly Bound _inputs;
    private readonly Bound _outputs;

    public BindingContext(InferenceSession session, int inputCount, int outputCount)
    {
        _binding = session.CreateIoBinding();
        _inputs = new Bound(inputCount);
        _outputs = new Bound(outputCount);
    }

    public OrtIoBinding Binding => _binding;

    public RunOptions RunOptions { get; } = new();

    /// <summary>Whether the bound values are over exactly these buffers with these shapes. Reads only; safe on an idle context.</summary>
    public bool IsBoundTo(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs) => _inputs.Holds(inputs) && _outputs.Holds(outputs);

    /// <summary>Binds <paramref name="inputs"/> and <paramref name="outputs"/> (by name, in signature order), rebinding only the side that changed.</summary>
    public void Bind(IReadOnlyList<Tensor> inputs, string[] inputNames, IReadOnlyList<Tensor> outputs, string[] outputNames)
    {
        if (!_inputs.Holds(inputs))
        {
            // The binding holds native copies of the values: unbind before the old values unpin their buffers.
            _binding.ClearBoundInputs();
            _inputs.Replace(inputs);
            for (var i = 0; i < inputNames.Length; i++) _binding.BindInput(inputNames[i], _inputs.Values[i]!);
        }
        if (!_outputs.Holds(outputs))
        {
            _binding.ClearBoundOutputs();
            _outputs.Replace(outputs);
            for (var o = 0; o < outputNames.Length; o++) _binding.BindOutput(outputNames[o], _outputs.Values[o]!);
        }
    }

    public void Dispose()
    {
        _binding.Dispose();
        _inputs.Dispose();
        _outputs.Dispose();
        RunOptions.Dispose();
    }

    /// <summary>One side's OrtValues and the buffers and shapes they were made over.</summary>
    private sealed class Bound(int count) : IDisposable
    {
        private readonly float[]?[] _buffers = new float[]?[count];
        private readonly int[]?[] _shapes = new int[]?[count];

        public OrtValue?[] Values { get; } = new OrtValue?[count];

        public bool Holds(IReadOnlyList<Tensor> tensors)
        {
            for (var i = 0; i < _buffers.Length; i++)
                if (!ReferenceEquals(_buffers[i], tensors[i].Buffer) || !tensors[i].Shape.AsSpan().SequenceEqual(_shapes[i])) return false;
            return true;
        }

        public void Replace(IReadOnlyList<Tensor> tensors)
        {
            Dispose();
            for (var i = 0; i < _buffers.Length; i++)
            {
                var tensor = tensors[i];
                // Pins the caller's buffer (a slice of a possibly longer pooled array) until the value is disposed.
                Values[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tensor.Memory,
                    Array.ConvertAll(tensor.Shape, d => (long)d));
                _buffers[i] = tensor.Buffer;
                _shapes[i] = (int[])tensor.Shape.Clone();
            }
        }

        public void Dispose()
        {
            for (var i = 0; i < _buffers.Length; i++)
            {
                Values[i]?.Dispose();
                Values[i] = null;
                _buffers[i] = null;
                _shapes[i] = null;
            }
        }
    }
}
