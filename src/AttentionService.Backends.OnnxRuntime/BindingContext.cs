using System.Buffers;
using AttentionService.Core.Tensors;
using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// What one run hands ONNX Runtime: an <see cref="OrtIoBinding"/> over OrtValues that point at the caller's input and
/// output buffers, and its own <see cref="RunOptions"/>. The buffers are pinned only while a run uses them
/// (<see cref="Pin"/> to <see cref="Unpin"/>); an idle context keeps the OrtValues but no buffer, and its OrtValues are
/// only read again by a run that has pinned buffers at exactly the addresses and shapes they were made for, else that
/// side is rebound. So a run over the same buffers as the last run on this context allocates nothing. Used by one run
/// at a time.
/// </summary>
internal sealed class BindingContext : IDisposable
{
    private readonly OrtIoBinding _binding;
    private readonly Side _inputs;
    private readonly Side _outputs;

    public BindingContext(InferenceSession session, string[] inputNames, string[] outputNames)
    {
        _binding = session.CreateIoBinding();
        _inputs = new Side(inputNames);
        _outputs = new Side(outputNames);
    }

    public OrtIoBinding Binding => _binding;

    public RunOptions RunOptions { get; } = ArenaShrinking.NewRunOptions();

    /// <summary>Whether the OrtValues were made for these shapes (addresses are checked once pinned). Reads only; safe on an idle context.</summary>
    public bool FitsShapes(ReadOnlySpan<TensorView> inputs) => _inputs.HasShapes(inputs);

    /// <summary>Pins every buffer and binds them, rebinding only the side whose addresses or shapes changed.</summary>
    public void Pin(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        _inputs.Pin(inputs);
        _outputs.Pin(outputs);
        if (!_inputs.IsBound)
        {
            // The binding holds native copies of the values: unbind before the old values are disposed.
            _binding.ClearBoundInputs();
            _inputs.Rebind(inputs, static (binding, name, value) => binding.BindInput(name, value), _binding);
        }
        if (!_outputs.IsBound)
        {
            _binding.ClearBoundOutputs();
            _outputs.Rebind(outputs, static (binding, name, value) => binding.BindOutput(name, value), _binding);
        }
    }

    /// <summary>Releases the pins of the run; the OrtValues stay, unread until the next <see cref="Pin"/> checks them.</summary>
    public void Unpin()
    {
        _inputs.Unpin();
        _outputs.Unpin();
    }

    public void Dispose()
    {
        Unpin();
        _binding.Dispose();
        _inputs.Dispose();
        _outputs.Dispose();
        RunOptions.Dispose();
    }

    /// <summary>
    /// An OrtValue over <paramref name="tensor"/>'s elements at the address <paramref name="pin"/> holds. Made over the
    /// address, not the array: the value owns no pin, so it must only be read while the caller keeps the pin.
    /// </summary>
    public static unsafe OrtValue CreateValue(TensorView tensor, MemoryHandle pin)
    {
        var shape = new long[tensor.Rank];
        for (var axis = 0; axis < shape.Length; axis++) shape[axis] = tensor.Shape[axis];
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, ToOrt(tensor.ElementType), shape,
            (nint)pin.Pointer, (long)tensor.Length * ElementSize(tensor.ElementType));
    }

    private static OrtElementType ToOrt(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => OrtElementType.Float,
        TensorElementType.Int64 => OrtElementType.Int64,
        TensorElementType.Bool => OrtElementType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => sizeof(float),
        TensorElementType.Int64 => sizeof(long),
        TensorElementType.Bool => sizeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>One side's OrtValues, the addresses and shapes they were made for, and the pins of the run in progress.</summary>
    private sealed class Side(string[] names) : IDisposable
    {
        private readonly OrtValue?[] _values = new OrtValue?[names.Length];
        private readonly nint[] _addresses = new nint[names.Length];
        private readonly int[]?[] _shapes = new int[]?[names.Length];
        private readonly MemoryHandle[] _pins = new MemoryHandle[names.Length];
        private int _pinned;

        /// <summary>Whether the values are over exactly the buffers now pinned.</summary>
        public bool IsBound { get; private set; }

        public bool HasShapes(ReadOnlySpan<TensorView> tensors)
        {
            for (var i = 0; i < _shapes.Length; i++)
                if (!tensors[i].Shape.AsSpan().SequenceEqual(_shapes[i])) return false;
            return true;
        }

        public unsafe void Pin(ReadOnlySpan<TensorView> tensors)
        {
            var same = true;
            for (var i = 0; i < names.Length; i++)
            {
                _pins[i] = tensors[i].Pin();
                _pinned = i + 1;
                same &= (nint)_pins[i].Pointer == _addresses[i] && tensors[i].Shape.AsSpan().SequenceEqual(_shapes[i]);
            }
            IsBound = same && _values.Length > 0 && _values[0] is not null;
        }

        public unsafe void Rebind(ReadOnlySpan<TensorView> tensors, Action<OrtIoBinding, string, OrtValue> bind, OrtIoBinding binding)
        {
            DisposeValues();
            for (var i = 0; i < names.Length; i++)
            {
                var tensor = tensors[i];
                _values[i] = CreateValue(tensor, _pins[i]);
                _addresses[i] = (nint)_pins[i].Pointer;
                _shapes[i] = (int[])tensor.Shape.Clone();
                bind(binding, names[i], _values[i]!);
            }
            IsBound = true;
        }

        public void Unpin()
        {
            for (var i = 0; i < _pinned; i++) _pins[i].Dispose();
            _pinned = 0;
        }

        public void Dispose() => DisposeValues();

        private void DisposeValues()
        {
            for (var i = 0; i < _values.Length; i++)
            {
                _values[i]?.Dispose();
                _values[i] = null;
                _addresses[i] = 0;
                _shapes[i] = null;
            }
            IsBound = false;
        }
    }
}
