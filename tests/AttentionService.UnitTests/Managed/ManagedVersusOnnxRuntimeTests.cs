using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace AttentionService.Tests.Managed;

/// <summary>The same model files on both engines: the managed kernels against real ONNX Runtime.</summary>
public class ManagedVersusOnnxRuntimeTests
{
    private const float Tolerance = 1e-5f;

    public static TheoryData<string, int, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int, int>
        {
            { "luong-dot", 1, 1, 32, 64 },
            { "luong-dot", 3, 1, 1, 64 },
            { "luong-dot", 2, 9, 21, 7 },
            { "luong-dot", 8, 64, 128, 128 },
        };
        foreach (var model in Directory.GetFiles(RepoPaths.Models, "*.onnx").Select(Path.GetFileNameWithoutExtension).Order())
        {
            data.Add(model!, 1, 1, 1, 8);
            data.Add(model!, 3, 5, 17, 16);
        }
        return data;
    }

    /// <summary>
    /// Symbolic dimensions take the given sizes (d and dv both <paramref name="d"/>; fixed sizes stay as the model
    /// declares them); the mask attends to position 0 of every row and to a random subset of the rest.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void ManagedAgreesWithOnnxRuntime(string model, int batch, int tq, int tv, int d)
    {
        var source = ManagedModels.Source(model);
        var sizes = new Dictionary<string, int> { ["batch"] = batch, ["tq"] = tq, ["tv"] = tv, ["d"] = d, ["dv"] = d };
        var inputs = source.Signature.Inputs.Select((spec, i) =>
        {
            var shape = spec.Shape.Select((size, axis) => size >= 0 ? (int)size : sizes[spec.DimNames[axis]!]).ToArray();
            var data = ScalarReference.Random(50 + i, ScalarReference.Count(shape), spec.Name == "mask" ? 0f : -1f, 1f);
            if (spec.Name == "mask")
                for (var at = 0; at < data.Length; at++) data[at] = at % shape[^1] == 0 || data[at] > 0.4f ? 1f : 0f;
            return (spec.Name, Data: data, Shape: shape);
        }).ToArray();

        using var options = new OrtSessionOptions();
        using var session = new InferenceSession(RepoPaths.Model(model), options);
        using var runOptions = new RunOptions();
        var ortInputs = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape.Select(s => (long)s).ToArray())).ToArray();
        var outputNames = source.Signature.Outputs.Select(o => o.Name).ToArray();
        using var ortOutputs = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), ortInputs, outputNames);

        using var backend = ManagedModels.Load(model);
        var tensors = inputs.Select(i => Tensor.Wrap(i.Data, i.Shape)).ToArray();
        using var outputs = backend.RunRented(tensors.Views(), CancellationToken.None);
        try
        {
            for (var o = 0; o < outputNames.Length; o++)
            {
                Assert.Equal(ortOutputs[o].GetTensorTypeAndShape().Shape.Select(s => (int)s), outputs[o].Shape);
                Numerics.AssertClose(ortOutputs[o].GetTensorDataAsSpan<float>(), outputs.Float(o).Span, Tolerance, $"{model} {outputNames[o]}");
            }
        }
        finally
        {
            foreach (var value in ortInputs) value.Dispose();
        }
    }
}
