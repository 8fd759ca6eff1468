namespace AttentionService.Contracts;

/// <summary>Bounds on one /attend request (anything larger is refused with 413 before inference), and on a model file.</summary>
public sealed class RequestLimits
{
    [SettingRange(1024, 1L << 30)]
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    [SettingRange(1, 1 << 16)]
    public int MaxBatch { get; set; } = 64;

    /// <summary>Longest query or values sequence (tq, tv).</summary>
    [SettingRange(1, 1 << 16)]
    public int MaxSequenceLength { get; set; } = 4096;

    /// <summary>Widest feature dimension (d).</summary>
    [SettingRange(1, 1 << 16)]
    public int MaxFeatures { get; set; } = 4096;

    /// <summary>Most numbers in one input tensor, and in each output of a run (the weights, batch · tq · tv, the context, batch · tq · dv).</summary>
    [SettingRange(1, 1 << 28)]
    public int MaxElements { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Most numbers in one intermediate value of a run (a tensor the graph computes on the way to its outputs), as the
    /// model's plan infers it for the request's shapes before the run.
    /// </summary>
    [SettingRange(1, 1 << 30)]
    public int MaxIntermediateElements { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest model file (<c>&lt;name&gt;.onnx</c>) read, checked before and while reading.</summary>
    [SettingRange(1024, 2_000_000_000)]
    public long MaxModelBytes { get; set; } = 1L << 30;

    /// <summary>Deepest JSON nesting accepted (a rank-3 tensor inside the request object needs 4).</summary>
    [SettingRange(4, 64)]
    public int MaxJsonDepth { get; set; } = 8;
}
