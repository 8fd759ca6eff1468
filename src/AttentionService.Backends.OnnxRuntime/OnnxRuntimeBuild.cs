using System.Reflection;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// Which ONNX Runtime package this assembly was built against (the csproj's <c>OnnxRuntimeBuild</c>, stamped as assembly
/// metadata): <c>Cpu</c>, <c>Gpu</c> (CUDA, Linux natives) or <c>ManagedOnly</c> (the managed binding, no native library).
/// </summary>
public static class OnnxRuntimeBuild
{
    public const string Cpu = "Cpu", Gpu = "Gpu", ManagedOnly = "ManagedOnly";

    /// <summary>This build's name, one of the constants above.</summary>
    public static string Name { get; } = typeof(OnnxRuntimeBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .SingleOrDefault(a => a.Key == "OnnxRuntimeBuild")?.Value ?? Cpu;

    /// <summary>True for <c>-p:ManagedOnly=true</c>: there is no native ONNX Runtime to load.</summary>
    public static bool IsManagedOnly => Name == ManagedOnly;
}
