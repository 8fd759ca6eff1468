using AttentionService.Core.Tensors;

namespace AttentionService.Inference;

/// <summary>Why a source's decoding stopped.</summary>
public enum StopReason
{
    /// <summary>The decoder chose the end token.</summary>
    End,

    /// <summary>The model's step limit (maxSteps) came first.</summary>
    MaxSteps,
}

/// <summary>One source's decoding as <see cref="DecodeSession.Results"/> made it; owns its weights and context until disposed.</summary>
public sealed record DecodedSource(string[] SourceTokens, string[] OutputTokens, string Output, StopReason Stop, Tensor<float> Weights, Tensor<float> Context)
    : IDisposable
{
    public string StopText => Stop == StopReason.End ? "end" : "maxSteps";

    public void Dispose()
    {
        Weights.Dispose();
        Context.Dispose();
    }
}
