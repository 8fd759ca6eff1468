using AttentionService.Core.Tensors;
using AttentionService.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace AttentionService.Tests.Managed;

/// <summary>The same luong-dot file on both engines: the managed kernels against real ONNX Runtime.</summary>
public class ManagedVersusOnnxRuntimeTests
{
    private const float Tolerance = 1e-5f;

    [Theory]
    [InlineData(1, 1, 32, 64)]
    [InlineData(3, 1, 1, 64)]
    [InlineData(2, 9, 21, 7)]
    [InlineData(8, 64, 128, 128)]
    public void ManagedAgreesWithOnnxRuntime(int batch, int tq, int tv, int d)
    {
        var queryData = ScalarReference.Random(40 + tq, batch * tq * d);
        var valuesData = ScalarReference.Random(41 + tv, batch * tv * d);

        using var options = new OrtSessionOptions();
        using var session = new InferenceSession(RepoPaths.Model("luong-dot"), options);
        using var runOptions = new RunOptions();
        using var ortQuery = OrtValue.CreateTensorValueFromMemory(queryData, [batch, tq, d]);
        using var ortValues = OrtValue.CreateTensorValueFromMemory(valuesData, [batch, tv, d]);
        using var ortOutputs = session.Run(runOptions, ["query", "values"], [ortQuery, ortValues], ["context", "weights"]);

        using var backend = ManagedModels.Load("luong-dot");
        using var query = Tensor.Wrap(queryData, batch, tq, d);
        using var values = Tensor.Wrap(valuesData, batch, tv, d);
        var outputs = backend.Run([query, values], CancellationToken.None);
        using var context = outputs[0];
        using var weights = outputs[1];

        AssertClose(ortOutputs[0].GetTensorDataAsSpan<float>(), context.Span, "context");
        AssertClose(ortOutputs[1].GetTensorDataAsSpan<float>(), weights.Span, "weights");
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"{name}[{i}]: ONNX Runtime {expected[i]}, managed {actual[i]}");
    }
}
