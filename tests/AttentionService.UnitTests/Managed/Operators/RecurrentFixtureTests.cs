using AttentionService.Backends.Managed;
using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Tests.Conformance;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Managed.Operators.RnnAttentionTestModels;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>
/// The torch-exported decoder steps whose state update is an ONNX GRU or LSTM, whole: the managed backend gives torch's
/// outputs and ONNX Runtime's. A model that still uses an op without a managed kernel must be refused at load, naming it.
/// </summary>
public class RecurrentFixtureTests
{
    [Theory]
    [InlineData("gru-bahdanau-step", 0)]
    [InlineData("gru-bahdanau-step", 1)]
    [InlineData("lstm-luong-step", 0)]
    [InlineData("lstm-luong-step", 1)]
    public void DecoderStepGivesTorchsOutputsOrIsRefusedNamingTheOpItLacks(string fixture, int set)
    {
        var directory = Path.Combine(RepoPaths.Root, "tests", "fixtures", "torch", fixture);
        var source = ModelSource.Read(fixture, Path.Combine(directory, "model.onnx"));
        var missing = source.Proto.Graph.Node.Select(n => n.OpType).Where(op => !OperatorCatalog.IsSupported(op)).Distinct().ToArray();
        if (missing.Length > 0)
        {
            var refusal = Assert.Throws<BackendUnavailableException>(() => new ManagedBackendFactory().Create(source));
            Assert.Contains($"'{missing[0]}'", refusal.Message);
            return;
        }
        var data = Path.Combine(directory, $"test_data_set_{set}");
        var inputs = Enumerable.Range(0, source.Signature.Inputs.Count).Select(i => NodeTestTensors.Read(Path.Combine(data, $"input_{i}.pb"))).ToArray();
        var managed = RunManaged(source.Proto, inputs);
        for (var o = 0; o < managed.Length; o++)
            AssertEqual(NodeTestTensors.Read(Path.Combine(data, $"output_{o}.pb")), managed[o], $"{fixture} {source.Signature.Outputs[o].Name} against torch");
        AssertAllEqual(RunOnnxRuntime(source.Proto, inputs), managed, source.Proto);
    }
}
