using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// One model on ONNX Runtime: owns its <see cref="InferenceSession"/>, created once and shared by all requests
/// (<see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe), and every native value of each run. Runs into caller-owned outputs go through
/// <see cref="BindingContext"/>s kept between runs, so repeated runs over the same buffers allocate nothing.
/// </summary>
public sealed class OnnxRuntimeBackend : IModelBackend
{
    private readonly InferenceSession _session;
    private readonly string _modelName;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly ModelSignature _signature;
    private readonly int _maxOutputRank;

    /// <summary>Idle binding contexts; runs beyond this many at once make their own and drop them afterwards.</summary>
    private readonly IdlePool<BindingContext> _idle = new(Math.Max(4, 2 * Environment.ProcessorCount));
    private volatile bool _disposed;

    /// <summary>Creates the session; throws ONNX Runtime's own exceptions, which the factory turns into reasons.</summary>
    internal OnnxRuntimeBackend(ModelSource model, OnnxRuntimeSettings settings, ILogger logger)
    {
        _modelName = model.Name;
        _inputNames = model.Signature.Inputs.Select(i => i.Name).ToArray();
        _outputNames = model.Signature.Outputs.Select(o => o.Name).ToArray();
        _signature = model.Signature;
        _maxOutputRank = model.Signature.Outputs.Select(o => o.Rank).DefaultIfEmpty(0).Max();
        (_session, EffectiveProvider) = CreateSession(model, settings, logger);
    }

    public BackendKind Kind => BackendKind.Onnx;

    public string Description => $"ONNX Runtime {OrtEnv.Instance().GetVersionString()} on {EffectiveProvider}";

    /// <summary>The provider the session actually runs on, e.g. <c>CPU</c> or <c>CUDA:0</c>.</summary>
    public string EffectiveProvider { get; }

    public Tensor[] Run(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
    {
        CheckInputCount(inputs);

        using var runOptions = new RunOptions();
        // Registering on a token that is already cancelled sets Terminate at once, so ONNX Runtime refuses the run
        // before its first node; disposing the registration waits for a callback in flight before runOptions goes.
        using var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);

        var inputValues = new OrtValue[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var tensor = inputs[i];
                // Pins the caller's buffer (a slice of a possibly longer pooled array) until the OrtValue is disposed.
                inputValues[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tensor.Memory,
                    Array.ConvertAll(tensor.Shape, d => (long)d));
            }

            using var outputValues = RunSession(runOptions, inputValues, cancellationToken);
            return CopyOutputs(outputValues);
        }
        finally
        {
            foreach (var value in inputValues)
                value?.Dispose();
        }
    }

    public void Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckInputCount(inputs);
        OutputDestinations.CheckCount(outputs, _outputNames);
        if (!_signature.CanResolveOutputShapes)
        {
            // Output shapes are only known once ONNX Runtime has run: run as usual and copy.
            var results = Run(inputs, cancellationToken);
            try
            {
                OutputDestinations.CopyInto(results, outputs, _outputNames);
                return;
            }
            finally
            {
                foreach (var result in results) result.Dispose();
            }
        }
        CheckOutputShapes(inputs, outputs);
        OutputDestinations.CheckDistinct(inputs, outputs, _outputNames);

        var context = Acquire(inputs, outputs);
        try
        {
            // Registering on a token that is already cancelled sets Terminate at once, so ONNX Runtime refuses the run
            // before its first node; disposing the registration waits for a callback in flight.
            var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, context.RunOptions);
            try
            {
                _session.RunWithBinding(context.RunOptions, context.Binding);
            }
            catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"the run of model '{_modelName}' was cancelled", e, cancellationToken);
            }
            finally
            {
                registration.Dispose();
                // The options outlive this run: the next run on this context must not start terminated.
                if (cancellationToken.IsCancellationRequested) context.RunOptions.Terminate = false;
            }
        }
        finally
        {
            Release(context);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _idle.Dispose();
        _session.Dispose();
    }

    private void CheckInputCount(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count != _inputNames.Length)
            throw new ArgumentException(
                $"model '{_modelName}' takes {_inputNames.Length} inputs ({string.Join(", ", _inputNames)}), got {inputs.Count}",
                nameof(inputs));
    }

    private void CheckOutputShapes(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        Span<int> shape = _maxOutputRank <= 16 ? stackalloc int[16] : new int[_maxOutputRank];
        for (var o = 0; o < outputs.Count; o++)
        {
            var expected = shape[.._signature.Outputs[o].Rank];
            if (!_signature.TryResolveOutputShape(o, inputs, expected))
                throw new ArgumentException(
                    $"model '{_modelName}' cannot size output '{_outputNames[o]}' {_signature.Outputs[o].ShapeText} from inputs of shapes {string.Join(", ", inputs.Select(i => $"[{string.Join(", ", i.Shape)}]"))}",
                    nameof(inputs));
            OutputDestinations.CheckShape(outputs, o, _outputNames[o], expected);
        }
    }

    /// <summary>An idle context already bound to these tensors, else any idle one rebound, else a new one.</summary>
    private BindingContext Acquire(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        // Bind checks the fit again: another run may have rebound the context between the look and the take.
        var context = _idle.Take(static (idle, tensors) => idle.IsBoundTo(tensors.inputs, tensors.outputs), (inputs, outputs));
        return Bound(context ?? new BindingContext(_session, _inputNames.Length, _outputNames.Length), inputs, outputs);
    }

    private BindingContext Bound(BindingContext context, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        try
        {
            context.Bind(inputs, _inputNames, outputs, _outputNames);
            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private void Release(BindingContext context) => _idle.Return(context);

    private IDisposableReadOnlyCollection<OrtValue> RunSession(RunOptions runOptions, OrtValue[] inputValues,
        CancellationToken cancellationToken)
    {
        try
        {
            return _session.Run(runOptions, _inputNames, inputValues, _outputNames);
        }
        catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"the run of model '{_modelName}' was cancelled", e, cancellationToken);
        }
    }

    private Tensor[] CopyOutputs(IReadOnlyList<OrtValue> outputValues)
    {
        var outputs = new Tensor[outputValues.Count];
        try
        {
            for (var i = 0; i < outputValues.Count; i++)
            {
                var typeAndShape = outputValues[i].GetTensorTypeAndShape();
                if (typeAndShape.ElementDataType != TensorElementType.Float)
                    throw new InvalidOperationException(
                        $"model '{_modelName}' output '{_outputNames[i]}' is {typeAndShape.ElementDataType}; only Float is served");
                outputs[i] = Tensor.Rent(Array.ConvertAll(typeAndShape.Shape, d => checked((int)d)));
                outputValues[i].GetTensorDataAsSpan<float>().CopyTo(outputs[i].Span);
            }
            return outputs;
        }
        catch
        {
            foreach (var output in outputs)
                output?.Dispose();
            throw;
        }
    }

    private static (InferenceSession Session, string Provider) CreateSession(ModelSource model,
        OnnxRuntimeSettings settings, ILogger logger)
    {
        if (settings.ExecutionProvider == ExecutionProvider.Cuda)
        {
            var provider = $"CUDA:{settings.CudaDeviceId}";
            Exception? cudaFailure;
            using (var cudaOptions = CreateOptions(settings))
            {
                cudaFailure = TryAppendCuda(cudaOptions, settings.CudaDeviceId);
                if (cudaFailure is null)
                {
                    try
                    {
                        return (new InferenceSession(model.Bytes, cudaOptions), provider);
                    }
                    catch (OnnxRuntimeException e)
                    {
                        // A CUDA build without a usable device fails here; a broken model fails again on CPU below.
                        cudaFailure = e;
                    }
                }
            }

            using var cpuOptions = CreateOptions(settings);
            var session = new InferenceSession(model.Bytes, cpuOptions);
            // The CPU package has no CUDA provider and a machine may have no device: the model still serves, on CPU.
            logger.LogWarning(cudaFailure, "Model {Model}: ONNX Runtime cannot use {Provider} ({Reason}); running on CPU",
                model.Name, provider, cudaFailure.Message);
            return (session, "CPU");
        }

        using var options = CreateOptions(settings);
        return (new InferenceSession(model.Bytes, options), "CPU");
    }

    private static Exception? TryAppendCuda(OrtSessionOptions options, int deviceId)
    {
        try
        {
            options.AppendExecutionProvider_CUDA(deviceId);
            return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or OnnxRuntimeException)
        {
            return e;
        }
    }

    private static OrtSessionOptions CreateOptions(OnnxRuntimeSettings settings)
    {
        var options = new OrtSessionOptions
        {
            GraphOptimizationLevel = settings.GraphOptimizationLevel,
            IntraOpNumThreads = settings.IntraOpNumThreads,
            // Concurrent requests already keep the cores busy, so nodes run one after another unless asked otherwise.
            ExecutionMode = settings.InterOpNumThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = settings.InterOpNumThreads,
            // Request shapes vary, and ONNX Runtime keeps one memory plan per distinct set of input shapes, unbounded.
            EnableMemoryPattern = false,
        };
        // Each session has its own intra-op pool; idle threads spinning for work would steal the cores that other
        // sessions and the HTTP server need, so they sleep instead (a few microseconds of latency per run).
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }
}
