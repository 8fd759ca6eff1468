using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Tests.Managed;

/// <summary>
/// The footprint the managed plan gives before a run: its outputs have the shapes the run then produces, its
/// intermediates are counted, and measuring stops at the first tensor above the limit, naming it, without allocating it.
/// </summary>
public class FootprintTests
{
    public static TheoryData<string> Models() => ["luong-dot", "luong-general", "scaled-dot", "bahdanau", "multihead"];

    [Theory]
    [MemberData(nameof(Models))]
    public void TheFootprintsOutputsAreWhatTheRunProduces(string name)
    {
        using var backend = ManagedModels.Load(name);
        var (owned, inputs) = Inputs(backend.Signature);
        try
        {
            var footprint = backend.Estimate(inputs, long.MaxValue);
            using var outputs = backend.RunRented(inputs, CancellationToken.None);

            Assert.True(footprint.Planned);
            Assert.False(footprint.Stopped);
            for (var o = 0; o < outputs.Count; o++)
            {
                Assert.Equal(backend.Signature.Outputs[o].Name, footprint.Outputs[o].Name);
                Assert.Equal(outputs[o].Length, footprint.Outputs[o].Elements);
            }
            Assert.True(footprint.IntermediateBytes > 0, "the graph computes intermediates on the way");
            Assert.Same(footprint, backend.Estimate(inputs, long.MaxValue));
        }
        finally
        {
            foreach (var tensor in owned) tensor.Dispose();
        }
    }

    [Fact]
    public void MeasuringStopsAtTheFirstTensorAboveTheLimitAndNamesIt()
    {
        using var backend = ManagedModels.Load("luong-dot");
        var (owned, inputs) = Inputs(backend.Signature);
        try
        {
            // The weights are batch·tq·tv = 2·3·5 = 30 numbers: past a limit of 20 the run is not measured further.
            var footprint = backend.Estimate(inputs, 20);

            Assert.True(footprint.Stopped);
            var named = footprint.Outputs.Where(o => o.Elements > 20).Select(o => o.Name)
                .Concat(footprint.LargestIntermediate is { Elements: > 20 } large ? [large.Name] : []).ToList();
            Assert.Single(named);
        }
        finally
        {
            foreach (var tensor in owned) tensor.Dispose();
        }
    }

    /// <summary>Inputs of every signature input: batch 2, tq 3, tv 5, any other named dimension 8.</summary>
    private static (List<IDisposable> Owned, TensorView[] Inputs) Inputs(ModelSignature signature)
    {
        var owned = new List<IDisposable>();
        var inputs = new TensorView[signature.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var spec = signature.Inputs[i];
            var shape = new int[spec.Rank];
            for (var axis = 0; axis < shape.Length; axis++)
                shape[axis] = spec.Shape[axis] >= 0 ? (int)spec.Shape[axis] : spec.DimNames[axis] switch
                {
                    "batch" => 2,
                    "tq" => 3,
                    "tv" => 5,
                    _ => 8,
                };
            switch (spec.ElementType)
            {
                case TensorElementType.Float32:
                    var floats = Tensor.Rent<float>(shape);
                    floats.Span.Fill(1f);
                    owned.Add(floats);
                    inputs[i] = floats;
                    break;
                default:
                    var bools = Tensor.Rent<bool>(shape);
                    bools.Span.Fill(true);
                    owned.Add(bools);
                    inputs[i] = bools;
                    break;
            }
        }
        return (owned, inputs);
    }
}
