using AttentionService.Core.Backends;
using AttentionService.Tests.Support;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Tests.DestinationRuns;

/// <summary>
/// Inputs for a bundled model at a shape, in signature order: query, keys and values uniform in [-1, 1) from a seed,
/// and a 0/1 mask with every query row attending to at least one key (an all-masked row would give NaN).
/// </summary>
internal static class ModelInputs
{
    public static Tensor<float>[] Create(ModelSignature signature, int batch, int tq, int tv, int d, int seed, bool masked = true)
    {
        var sizes = new Dictionary<string, int> { ["batch"] = batch, ["tq"] = tq, ["tv"] = tv };
        var random = new Random(seed);
        var inputs = new Tensor<float>[signature.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var spec = signature.Inputs[i];
            // Fixed dimensions as declared; named ones from the case, any feature size (d, dv) as d.
            var shape = spec.Shape.Select((size, axis) => size >= 0 ? (int)size : sizes.GetValueOrDefault(spec.DimNames[axis]!, d)).ToArray();
            var tensor = Tensor.Rent<float>(shape);
            var span = tensor.Span;
            if (spec.Name == AttentionTensorNames.Mask)
            {
                var rowLength = shape[^1];
                for (var row = 0; row < span.Length / Math.Max(rowLength, 1); row++)
                {
                    var attended = random.Next(rowLength);
                    for (var j = 0; j < rowLength; j++)
                        span[row * rowLength + j] = !masked || j == attended || random.NextDouble() < 0.6 ? 1f : 0f;
                }
            }
            else
            {
                for (var j = 0; j < span.Length; j++) span[j] = random.NextSingle() * 2f - 1f;
            }
            inputs[i] = tensor;
        }
        return inputs;
    }

    /// <summary>Pooled outputs of the shapes the signature resolves, as a caller of the destination path sizes them.</summary>
    public static Tensor<float>[] RentOutputs(ModelSignature signature, IReadOnlyList<Tensor<float>> inputs) =>
        ResolveShapes(signature, inputs).Select(shape => Tensor.Rent<float>(shape)).ToArray();

    /// <summary>Caller-sized destinations over <paramref name="outputs"/>, made once and reused run after run.</summary>
    public static FixedOutputs Fixed(ModelSignature signature, IReadOnlyList<Tensor<float>> outputs) =>
        new(outputs.Views(), signature.Outputs.Select(o => o.Name).ToArray());

    /// <summary>The shape of every output for <paramref name="inputs"/>, resolved from the signature.</summary>
    public static int[][] ResolveShapes(ModelSignature signature, IReadOnlyList<Tensor<float>> inputs)
    {
        var views = inputs.Views();
        var shapes = new int[signature.Outputs.Count][];
        for (var o = 0; o < shapes.Length; o++)
        {
            shapes[o] = new int[signature.Outputs[o].Rank];
            Assert.True(signature.TryResolveOutputShape(o, views, shapes[o]), $"the signature resolves output {o}");
        }
        return shapes;
    }

    public static void DisposeAll(IEnumerable<Tensor<float>> tensors)
    {
        foreach (var tensor in tensors) tensor.Dispose();
    }
}
