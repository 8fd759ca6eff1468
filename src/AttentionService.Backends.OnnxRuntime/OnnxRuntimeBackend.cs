using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// One model on ONNX Runtime: owns its <see cref="InferenceSession"/>, created once and shared by all requests
/// (<see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe), and every native value of each run. Runs into caller-owned outputs go through
/// <see cref="BindingContext"/>s kept between runs, so repeated runs over the same buffers allocate nothing.
/// </summary>
public sealed class OnnxRuntimeBackend : IModelBackend, ITrimmable
{
    private readonly InferenceSession _session;
    private readonly string _modelName;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    /// <summary>Ranks of outputs checked on the stack; the model's signature is checked against it at load.</summary>
    private const int MaxOutputRank = 16;

    /// <summary>Idle binding contexts; runs beyond this many at once make their own and drop them afterwards.</summary>
    private readonly IdlePool<BindingContext> _idle = new(Math.Max(4, 2 * Environment.ProcessorCount));
    private volatile bool _disposed;

    /// <summary>Creates the session; throws ONNX Runtime's own exceptions, which the factory turns into reasons.</summary>
    internal OnnxRuntimeBackend(ModelSource model, SessionOpener sessions)
    {
        _modelName = model.Name;
        _inputNames = model.Signature.Inputs.Select(i => i.Name).ToArray();
        _outputNames = model.Signature.Outputs.Select(o => o.Name).ToArray();
        Signature = model.Signature;
        if (Signature.Outputs.Any(o => o.Rank > MaxOutputRank))
            throw new BackendUnavailableException($"model '{model.Name}' has an output of rank above {MaxOutputRank}");
        (_session, EffectiveProvider) = sessions.Open(model);
    }

    public BackendKind Kind => BackendKind.Onnx;

    public ModelSignature Signature { get; }

    public string Description => $"ONNX Runtime {OrtEnv.Instance().GetVersionString()} on {EffectiveProvider}";

    /// <summary>The provider the session actually runs on, e.g. <c>CPU</c> or <c>CUDA:0</c>.</summary>
    public string EffectiveProvider { get; }

    public void Run(ReadOnlySpan<TensorView> inputs, RunOutputs outputs, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckInputCount(inputs);
        if (outputs.Count != _outputNames.Length)
            throw new ArgumentException(
                $"the model has {_outputNames.Length} outputs ({string.Join(", ", _outputNames)}), the run was given {outputs.Count}", nameof(outputs));
        if (!Signature.CanResolveOutputShapes)
        {
            RunAndCopy(inputs, outputs, cancellationToken);
            return;
        }
        var buffer = new Destinations();
        Span<TensorView> destinations = _outputNames.Length <= Destinations.Length
            ? ((Span<TensorView>)buffer)[.._outputNames.Length]
            : new TensorView[_outputNames.Length];
        SizeOutputs(inputs, outputs, destinations);
        OutputDestinations.CheckDistinct(inputs, destinations, _outputNames);
        RunBound(inputs, destinations, cancellationToken);
    }

    /// <summary>Room for the destinations of a typical model without a heap array.</summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct Destinations
    {
        public const int Length = 8;

        private TensorView _first;
    }

    private void RunBound(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs, CancellationToken cancellationToken)
    {
        var context = Acquire(inputs);
        try
        {
            context.Pin(inputs, outputs);
            // Registering on a token that is already cancelled sets Terminate at once, so ONNX Runtime refuses the run
            // before its first node; disposing the registration waits for a callback in flight.
            var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, context.RunOptions);
            try
            {
                _session.RunWithBinding(context.RunOptions, context.Binding);
            }
            catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
            {
                throw Cancelled(e, cancellationToken);
            }
            finally
            {
                registration.Dispose();
                // The options outlive this run: the next run on this context must not start terminated.
                if (cancellationToken.IsCancellationRequested) context.RunOptions.Terminate = false;
            }
        }
        catch
        {
            // A context that failed half-way through binding is not trusted again.
            context.Dispose();
            throw;
        }
        finally
        {
            context.Unpin();
        }
        _idle.Return(context);
    }

    /// <summary>Drops the idle binding contexts (their OrtValues and run options).</summary>
    public void Trim() => _idle.Clear();

    public void Dispose()
    {
        _disposed = true;
        _idle.Dispose();
        _session.Dispose();
    }

    private void CheckInputCount(ReadOnlySpan<TensorView> inputs)
    {
        if (inputs.Length != _inputNames.Length)
            throw new ArgumentException(
                $"model '{_modelName}' takes {_inputNames.Length} inputs ({string.Join(", ", _inputNames)}), got {inputs.Length}",
                nameof(inputs));
    }

    /// <summary>
    /// A model whose output shapes only its run can tell (a dimension neither fixed nor named on an input): ONNX
    /// Runtime allocates the outputs, which are then checked against the caller's and copied. Allocates per run.
    /// </summary>
    private void RunAndCopy(ReadOnlySpan<TensorView> inputs, RunOutputs outputs, CancellationToken cancellationToken)
    {
        var pins = new System.Buffers.MemoryHandle[inputs.Length];
        var values = new OrtValue[inputs.Length];
        using var runOptions = ArenaShrinking.NewRunOptions();
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                pins[i] = inputs[i].Pin();
                values[i] = BindingContext.CreateValue(inputs[i], pins[i]);
            }
            using var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
            IDisposableReadOnlyCollection<OrtValue> results;
            try
            {
                results = _session.Run(runOptions, _inputNames, values, _outputNames);
            }
            catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
            {
                throw Cancelled(e, cancellationToken);
            }
            using (results)
            {
                for (var o = 0; o < _outputNames.Length; o++)
                {
                    var shape = Array.ConvertAll(results[o].GetTensorTypeAndShape().Shape, d => checked((int)d));
                    var elementType = Signature.Outputs[o].ElementType;
                    var destination = outputs.Destination(o, elementType, shape);
                    switch (elementType)
                    {
                        case TensorElementType.Float32: results[o].GetTensorDataAsSpan<float>().CopyTo(destination.As<float>().Span); break;
                        case TensorElementType.Int64: results[o].GetTensorDataAsSpan<long>().CopyTo(destination.As<long>().Span); break;
                        default: results[o].GetTensorDataAsSpan<bool>().CopyTo(destination.As<bool>().Span); break;
                    }
                }
            }
        }
        finally
        {
            foreach (var value in values) value?.Dispose();
            foreach (var pin in pins) pin.Dispose();
        }
    }

    /// <summary>What a run stopped by its token (ONNX Runtime's terminate flag) throws.</summary>
    private OperationCanceledException Cancelled(OnnxRuntimeException e, CancellationToken cancellationToken) =>
        new($"the run of model '{_modelName}' was cancelled", e, cancellationToken);

    /// <summary>Asks for each output's destination at the shape the signature resolves for these inputs.</summary>
    private void SizeOutputs(ReadOnlySpan<TensorView> inputs, RunOutputs outputs, Span<TensorView> destinations)
    {
        Span<int> shape = stackalloc int[MaxOutputRank];
        for (var o = 0; o < destinations.Length; o++)
        {
            var spec = Signature.Outputs[o];
            var expected = shape[..spec.Rank];
            if (!Signature.TryResolveOutputShape(o, inputs, expected))
                throw new ArgumentException(
                    $"model '{_modelName}' cannot size output '{_outputNames[o]}' {spec.ShapeText} from the inputs' shapes", nameof(inputs));
            destinations[o] = outputs.Destination(o, spec.ElementType, expected);
        }
    }

    /// <summary>An idle context made for these input shapes, else any idle one, else a new one.</summary>
    private BindingContext Acquire(ReadOnlySpan<TensorView> inputs)
    {
        // Only the shapes can be looked at while idle: addresses are compared once the run has pinned its buffers.
        return _idle.Take(static (idle, inputs) => idle.FitsShapes(inputs), inputs)
            ?? new BindingContext(_session, _inputNames, _outputNames);
    }
}
