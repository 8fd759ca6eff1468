using AttentionService.Core.Tensors;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// What a model's mask input takes: its element type (BOOL or FP32), what a value means, and its rank: 3 for
/// <c>[batch, tq, tv]</c>, 2 for one row per sequence, <c>[batch, tv]</c> (PyTorch's <c>key_padding_mask</c>).
/// </summary>
public readonly record struct MaskForm(TensorElementType ElementType, MaskMeaning Meaning, int Rank)
{
    /// <summary>The shipped models' mask: FP32 <c>[batch, tq, tv]</c>, 1 = may attend.</summary>
    public static MaskForm FloatAttend => new(TensorElementType.Float32, MaskMeaning.Attend, 3);

    /// <summary>A value that lets a position be attended.</summary>
    public float AttendFloat => Meaning == MaskMeaning.Attend ? 1f : 0f;

    /// <summary>A value that masks a position out.</summary>
    public float MaskedFloat => Meaning switch
    {
        MaskMeaning.Attend => 0f,
        MaskMeaning.Ignore => 1f,
        _ => float.NegativeInfinity,
    };

    public bool AttendBool => Meaning != MaskMeaning.Ignore;
}
