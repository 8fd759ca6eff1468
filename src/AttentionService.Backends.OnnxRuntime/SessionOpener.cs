using System.Runtime.InteropServices;
using AttentionService.Core.Models;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// Opens each model's session on the requested execution provider. A CUDA request that cannot be met (the CPU package
/// has no CUDA entry point; the GPU package may lack its CUDA libraries or a device) is the process's, not the model's:
/// it is logged once, later models open on the CPU provider without trying again, and <see cref="CudaFailure"/> makes the
/// backend report itself degraded.
/// </summary>
internal sealed class SessionOpener(OnnxRuntimeSettings settings, ILogger logger)
{
    private string? _cudaFailure;

    /// <summary>Why CUDA was asked for and not used, or null (not asked for, or working).</summary>
    public string? CudaFailure => Volatile.Read(ref _cudaFailure);

    /// <summary>A session for <paramref name="model"/> and the provider it runs on (<c>CPU</c> or <c>CUDA:n</c>); throws ONNX Runtime's exceptions.</summary>
    public (InferenceSession Session, string Provider) Open(ModelSource model)
    {
        if (settings.ExecutionProvider != ExecutionProvider.Cuda || CudaFailure is not null)
            return (OnCpu(model), "CPU");

        var provider = $"CUDA:{settings.CudaDeviceId}";
        Exception cudaFailure;
        using (var cudaOptions = OnnxRuntimeSessionOptions.Create(settings))
        {
            try
            {
                cudaOptions.AppendExecutionProvider_CUDA(settings.CudaDeviceId);
                return (new InferenceSession(model.Bytes, cudaOptions), provider);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or OnnxRuntimeException)
            {
                cudaFailure = e;
            }
        }
        // A broken model fails here too, and then says nothing about CUDA.
        var session = OnCpu(model);
        var reason = $"Attention:OnnxRuntime:ExecutionProvider is Cuda, but ONNX Runtime cannot use {provider}: {cudaFailure.Message}{LoaderReason(cudaFailure)}";
        if (Interlocked.CompareExchange(ref _cudaFailure, reason, null) is null)
            logger.LogWarning(cudaFailure, "{Reason}; every model runs on ONNX Runtime's CPU provider (first seen loading {Model})", reason, model.Name);
        return (session, "CPU");
    }

    /// <summary>
    /// ONNX Runtime's exception says only "Failed to load shared library"; the loader's reason (the CUDA library that is
    /// missing) goes to its own stderr log. Loading the provider library here once more, after it failed, gives that
    /// reason to readiness too; a load that succeeds is undone at once.
    /// </summary>
    private static string LoaderReason(Exception cudaFailure)
    {
        if (!cudaFailure.Message.Contains("Failed to load shared library", StringComparison.Ordinal)) return "";
        string[] folders = [AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native")];
        foreach (var path in folders.Select(f => Path.Combine(f, CudaProviderLibrary)).Where(File.Exists))
        {
            try
            {
                NativeLibrary.Free(NativeLibrary.Load(path));
            }
            catch (DllNotFoundException e)
            {
                // The message ends with the loader's own line, e.g. "libcublasLt.so.13: cannot open shared object file".
                return $" ({CudaProviderLibrary}: {e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim()})";
            }
        }
        return "";
    }

    private const string CudaProviderLibrary = "libonnxruntime_providers_cuda.so";

    private InferenceSession OnCpu(ModelSource model)
    {
        using var options = OnnxRuntimeSessionOptions.Create(settings);
        return new InferenceSession(model.Bytes, options);
    }
}
