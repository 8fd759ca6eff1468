using AttentionService.Tests.Reference;

namespace AttentionService.Tests.ModelBuilder;

public enum MaskKind
{
    AllOnes,
    /// <summary>Each position kept with probability 1/2, at least one per row.</summary>
    Random,
    /// <summary>Query i may attend keys 0..i (needs tq = tv).</summary>
    Causal,
}

/// <summary>
/// Random inputs for one run of an attention model, from a fixed seed: query [batch][tq][d], keys [batch][tv][d] and
/// values [batch][tv][dv] drawn independently (so keys ≠ values), and the mask as booleans and as the float tensor
/// the host sends (1 = may attend).
/// </summary>
public sealed class AttentionCase
{
    public AttentionCase(int batch, int tq, int tv, int d, int dv, MaskKind maskKind, int seed)
    {
        if (maskKind == MaskKind.Causal && tq != tv)
            throw new ArgumentException($"a causal mask needs tq = tv, got tq = {tq}, tv = {tv}");
        (Batch, Tq, Tv, D, Dv) = (batch, tq, tv, d, dv);
        var rng = new Random(seed);
        Query = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tq, d)).ToArray();
        Keys = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tv, d)).ToArray();
        Values = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tv, dv)).ToArray();
        Mask = Enumerable.Range(0, batch).Select(_ => MaskRows(rng, tq, tv, maskKind)).ToArray();
    }

    public int Batch { get; }
    public int Tq { get; }
    public int Tv { get; }
    public int D { get; }
    public int Dv { get; }
    public float[][][] Query { get; }
    public float[][][] Keys { get; }
    public float[][][] Values { get; }
    public bool[][][] Mask { get; }

    public int MaskedCount => Mask.Sum(rows => rows.Sum(row => row.Count(allowed => !allowed)));

    public static float[] Flatten(float[][][] tensor) => tensor.SelectMany(rows => rows.SelectMany(row => row)).ToArray();

    public float[] MaskTensor() => Mask.SelectMany(rows => rows.SelectMany(row => row.Select(allowed => allowed ? 1f : 0f))).ToArray();

    private static bool[][] MaskRows(Random rng, int tq, int tv, MaskKind kind)
    {
        var rows = new bool[tq][];
        for (var i = 0; i < tq; i++)
        {
            rows[i] = new bool[tv];
            for (var j = 0; j < tv; j++)
                rows[i][j] = kind switch
                {
                    MaskKind.AllOnes => true,
                    MaskKind.Causal => j <= i,
                    _ => rng.Next(2) == 0,
                };
            if (!rows[i].Contains(true)) rows[i][rng.Next(tv)] = true;
        }
        return rows;
    }
}
