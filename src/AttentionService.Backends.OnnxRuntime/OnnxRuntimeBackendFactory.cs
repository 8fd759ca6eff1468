using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// Creates <see cref="OnnxRuntimeBackend"/>s from model bytes, turning ONNX Runtime's failures into
/// <see cref="BackendUnavailableException"/>s whose reason tells a user what to fix.
/// </summary>
public sealed class OnnxRuntimeBackendFactory(OnnxRuntimeSettings settings, ILogger<OnnxRuntimeBackendFactory> logger)
    : IBackendFactory
{
    // Set once the native library has failed to load: every later model fails fast with the same reason.
    private volatile string? _nativeLibraryFailure;

    public BackendKind Kind => BackendKind.Onnx;

    public IModelBackend Create(ModelSource model)
    {
        if (_nativeLibraryFailure is { } known)
            throw new BackendUnavailableException(known);
        try
        {
            // The first touch of OrtEnv loads the native library; later calls return the process-wide instance.
            OrtEnv.Instance();
            return new OnnxRuntimeBackend(model, settings, logger);
        }
        catch (Exception e) when (NativeLoadFailure(e) is { } cause)
        {
            var reason = $"ONNX Runtime's native library could not be loaded: {cause.Message}";
            _nativeLibraryFailure = reason;
            throw new BackendUnavailableException(reason, e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new BackendUnavailableException(
                $"ONNX Runtime could not create a session for '{model.Name}': {e.Message}", e);
        }
    }

    /// <summary>The innermost load failure in the exception chain (type initializers wrap the real one), or null.</summary>
    private static Exception? NativeLoadFailure(Exception e)
    {
        Exception? found = null;
        for (Exception? current = e; current is not null; current = current.InnerException)
            if (current is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
                found = current;
        return found;
    }
}
