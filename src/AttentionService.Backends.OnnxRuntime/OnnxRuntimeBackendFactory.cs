using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// Creates <see cref="OnnxRuntimeBackend"/>s from model bytes, turning ONNX Runtime's failures into
/// <see cref="BackendUnavailableException"/>s whose reason tells a user what to fix. Whether ONNX Runtime runs here at
/// all (<see cref="NativeLibraryProbe"/>) and whether CUDA was honoured (<see cref="SessionOpener"/>) are found once and
/// reported by <see cref="Status"/>.
/// </summary>
public sealed class OnnxRuntimeBackendFactory(OnnxRuntimeSettings settings, ILogger<OnnxRuntimeBackendFactory> logger)
    : IBackendFactory
{
    private readonly SessionOpener _sessions = new(settings, logger);

    public BackendKind Kind => BackendKind.Onnx;

    public BackendStatus Status =>
        NativeLibraryProbe.FailureReason is { } missing ? BackendStatus.Unavailable(missing)
        : _sessions.CudaFailure is { } cuda ? BackendStatus.Degraded(cuda)
        : BackendStatus.Available;

    public IModelBackend Create(ModelSource model)
    {
        if (NativeLibraryProbe.FailureReason is { } missing)
            throw new BackendUnavailableException(missing);
        try
        {
            return new OnnxRuntimeBackend(model, _sessions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new BackendUnavailableException(
                $"ONNX Runtime could not create a session for '{model.Name}': {e.Message}", e);
        }
    }
}
