using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Benchmarks.Models;

/// <summary>
/// Inputs of a case in a model's signature order: query, keys, values uniform in [-1, 1) from a fixed seed and an
/// all-ones mask (every position may attend), so both backends do the full work.
/// </summary>
public sealed class CaseInputs : IDisposable
{
    private CaseInputs(Tensor<float>[] ordered)
    {
        Ordered = ordered;
        Views = Array.ConvertAll(ordered, tensor => (TensorView)tensor);
    }

    public Tensor<float>[] Ordered { get; }

    /// <summary>Views of <see cref="Ordered"/>, as a backend takes them.</summary>
    public TensorView[] Views { get; }

    public static CaseInputs Create(AttentionCase c, ModelSignature signature)
    {
        var random = new Random(20240605);
        var ordered = new Tensor<float>[signature.Inputs.Count];
        for (var i = 0; i < ordered.Length; i++)
        {
            var name = signature.Inputs[i].Name;
            int[] shape = name switch
            {
                "query" => [c.Batch, c.Tq, c.D],
                "keys" or "values" => [c.Batch, c.Tv, c.D],
                "mask" => [c.Batch, c.Tq, c.Tv],
                _ => throw new InvalidOperationException($"model '{c.Model}' has input '{name}'; cases supply query, keys, values, mask"),
            };
            var data = new float[Tensor.ElementCount(shape)];
            if (name == "mask") data.AsSpan().Fill(1f);
            else for (var j = 0; j < data.Length; j++) data[j] = random.NextSingle() * 2f - 1f;
            ordered[i] = Tensor.Wrap(data, shape);
        }
        return new CaseInputs(ordered);
    }

    public void Dispose()
    {
        foreach (var tensor in Ordered) tensor.Dispose();
    }
}
