using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// Run options that shrink ONNX Runtime's CPU arena at the end of each run: the regions a large run made it grow by
/// go back to the system once the run is done, instead of staying with the session for its lifetime. A run that fits
/// the arena's first region frees nothing, so small runs pay nothing for it.
/// </summary>
internal static class ArenaShrinking
{
    /// <summary>ONNX Runtime's run option key (onnxruntime_run_options_config_keys.h) and the CPU arena's name in it.</summary>
    private const string Key = "memory.enable_memory_arena_shrinkage";
    private const string CpuArena = "cpu:0";

    public static RunOptions NewRunOptions()
    {
        var options = new RunOptions();
        options.AddRunConfigEntry(Key, CpuArena);
        return options;
    }
}
