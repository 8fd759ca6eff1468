using AttentionService.ModelBuilder.Graphs;
using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Tests.ModelBuilder;

/// <summary>The two outputs of one ONNX Runtime run, copied out of native memory with their shapes.</summary>
public sealed record OrtAttentionRun(float[] Context, long[] ContextShape, float[] Weights, long[] WeightsShape)
{
    /// <summary>Runs the model file at <paramref name="path"/> once on <paramref name="c"/> in a fresh session.</summary>
    public static OrtAttentionRun Execute(string path, AttentionCase c)
    {
        using var session = new InferenceSession(path);
        using var query = OrtValue.CreateTensorValueFromMemory(AttentionCase.Flatten(c.Query), [c.Batch, c.Tq, c.D]);
        using var keys = OrtValue.CreateTensorValueFromMemory(AttentionCase.Flatten(c.Keys), [c.Batch, c.Tv, c.D]);
        using var values = OrtValue.CreateTensorValueFromMemory(AttentionCase.Flatten(c.Values), [c.Batch, c.Tv, c.Dv]);
        using var mask = OrtValue.CreateTensorValueFromMemory(c.MaskTensor(), [c.Batch, c.Tq, c.Tv]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions,
            [AttentionGraph.Query, AttentionGraph.Keys, AttentionGraph.Values, AttentionGraph.Mask],
            [query, keys, values, mask],
            [AttentionGraph.Context, AttentionGraph.Weights]);
        var context = outputs[0];
        var weights = outputs[1];
        return new OrtAttentionRun(
            context.GetTensorDataAsSpan<float>().ToArray(), context.GetTensorTypeAndShape().Shape,
            weights.GetTensorDataAsSpan<float>().ToArray(), weights.GetTensorTypeAndShape().Shape);
    }
}
