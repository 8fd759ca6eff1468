using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// Loads ONNX Runtime's native library once for the process (the first touch of <see cref="OrtEnv"/>), so that a
/// missing or unloadable library is one reason found at start, shared by every model's onnx slot, rather than a
/// failure per model or per request.
/// </summary>
public static class NativeLibraryProbe
{
    private static readonly Lazy<string?> Failure = new(Load);

    /// <summary>Why ONNX Runtime cannot run in this process, or null when its native library loaded.</summary>
    public static string? FailureReason => Failure.Value;

    private static string? Load()
    {
        // No attempt at all: a system-wide libonnxruntime of another version must not be picked up by a build that ships none.
        if (OnnxRuntimeBuild.IsManagedOnly)
            return "this build carries no native ONNX Runtime (published with -p:ManagedOnly=true); the managed backend serves every model";
        try
        {
            OrtEnv.Instance();
            return null;
        }
        catch (Exception e)
        {
            return $"ONNX Runtime's native library could not be loaded: {Innermost(e).Message}";
        }
    }

    /// <summary>The real cause: type initializers wrap the DllNotFoundException or EntryPointNotFoundException.</summary>
    private static Exception Innermost(Exception e)
    {
        var found = e;
        for (var current = e.InnerException; current is not null; current = current.InnerException)
            found = current;
        return found;
    }
}
