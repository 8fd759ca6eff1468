using AttentionService.Core.Backends;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class DropoutTests
{
    [Fact]
    public void InferenceCopiesTheInputAndMasksNothing()
    {
        var x = Iota(2, 3, 4);
        var model = OneNode("Dropout", [("x", x)], [("y", DataType.Float), ("mask", DataType.Bool)], attributes: [GraphBuilder.Attribute("seed", 3L)]);
        AssertManagedMatchesOnnxRuntime(model, x);
    }

    [Fact]
    public void RatioIsIgnoredAtInference()
    {
        var x = Iota(3, 5);
        var model = OneNode("Dropout", [("x", x), ("ratio", Floats([0.7f]))], [("y", DataType.Float), ("mask", DataType.Bool)]);
        AssertManagedMatchesOnnxRuntime(model, x, Floats([0.7f]));
    }

    [Fact]
    public void TrainingModeKnownFalseRunsAsInference()
    {
        var model = WithTrainingModeInitializer(false);
        AssertManagedMatchesOnnxRuntime(model, Iota(4, 2));
    }

    [Fact]
    public void TrainingModeKnownTrueIsRefusedWhenThePlanIsMade()
    {
        using var backend = ManagedModels.Load(WithTrainingModeInitializer(true));
        var error = Assert.Throws<BackendUnavailableException>(() => backend.RunRented([Iota(4, 2)], CancellationToken.None));
        Assert.Contains("training mode", error.Message);
    }

    [Fact]
    public void TrainingModeAsAGraphInputIsRefusedAtLoad()
    {
        var model = OneNode("Dropout", [("x", Iota(2)), ("ratio", Floats([0.5f])), ("training_mode", Bools([false]))], [("y", DataType.Float)]);
        Assert.Contains("training_mode", AssertRefusedAtLoad(model));
    }

    private static Onnx.Protos.ModelProto WithTrainingModeInitializer(bool trainingMode)
    {
        var graph = new GraphBuilder("dropout");
        graph.Input("x", 4, 2);
        graph.Initializer("ratio", [0.5f]);
        graph.Initializer("training_mode", [trainingMode]);
        graph.Node("Dropout", ["x", "ratio", "training_mode"], ["y", "mask"]);
        graph.Output("y", 4, 2);
        graph.Output("mask", DataType.Bool, 4, 2);
        return graph.ToModel(OnnxVersions.Opset, "dropout", []);
    }
}
