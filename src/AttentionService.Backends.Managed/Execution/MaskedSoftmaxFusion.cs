using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// Folds the masked softmax of attention, <c>Softmax(Where(Greater(mask, t), Mul(x, s), fill), axis = -1)</c>, into
/// one <see cref="MaskedSoftmaxOperator"/>. The Where's fill is a scalar float constant and its condition a Greater
/// of a float mask against a scalar constant, optionally unsqueezed by constant axes (a mask broadcast over heads);
/// the Mul (by a scalar constant) is folded when present. A node is folded only when
/// the next one in the chain is its sole reader and its output is not a graph output, so nothing else sees a value
/// that no longer exists.
/// </summary>
internal static class MaskedSoftmaxFusion
{
    /// <param name="knownBeforeRun">Values known before a run (constants and what is computed from them and from input shapes).</param>
    public static void Apply(List<(NodeProto Node, Operator Operator)> built, HashSet<string> graphOutputs, IReadOnlyDictionary<string, TensorView> constants,
        IReadOnlySet<string> knownBeforeRun)
    {
        var floatConstants = constants.Where(c => c.Value.ElementType == TensorElementType.Float32)
            .ToDictionary(c => c.Key, c => c.Value.As<float>().Span.ToArray(), StringComparer.Ordinal);
        foreach (var (softmaxNode, op) in built.Where(b => b.Operator is SoftmaxOperator { Axis: -1 }).ToArray())
        {
            var softmax = (SoftmaxOperator)op;
            if (SoleProducer(built, graphOutputs, softmax.Inputs[0], softmax) is not WhereOperator where
                || Scalar(floatConstants, where.Inputs[2]) is not { } fill
                || SoleProducer(built, graphOutputs, where.Inputs[0], where) is not { } conditionProducer)
                continue;
            // A per-head mask is unsqueezed after the comparison: the fused kernel reads the mask under the unsqueezed shape.
            long[]? maskAxes = null;
            var greaterReader = (Operator)where;
            if (conditionProducer is UnsqueezeOperator unsqueeze
                && constants.TryGetValue(unsqueeze.Inputs[1], out var axes) && axes.ElementType == TensorElementType.Int64)
            {
                maskAxes = axes.As<long>().Span.ToArray();
                greaterReader = unsqueeze;
                conditionProducer = SoleProducer(built, graphOutputs, unsqueeze.Inputs[0], unsqueeze);
            }
            if (conditionProducer is not ComparisonOperator<Comparison.Greater> greater
                || Scalar(floatConstants, greater.Inputs[1]) is not { } threshold
                || constants.ContainsKey(greater.Inputs[0]))
                continue;
            var folded = new List<Operator> { greater, where, softmax };
            if (maskAxes is not null) folded.Insert(1, greaterReader);
            var x = where.Inputs[1];
            var scale = 1f;
            string? scaleInput = null;
            if (SoleProducer(built, graphOutputs, x, where) is ArithmeticOperator<Arithmetic.Multiply> mul)
            {
                if (ScalarOperand(floatConstants, mul) is var (scaleValue, scaled))
                {
                    (scale, x) = (scaleValue, scaled);
                    folded.Insert(folded.Count - 2, mul);
                }
                else if (knownBeforeRun.Contains(mul.Inputs[1]) && !knownBeforeRun.Contains(mul.Inputs[0]))
                {
                    (scaleInput, x) = (mul.Inputs[1], mul.Inputs[0]);
                    folded.Insert(folded.Count - 2, mul);
                }
            }
            var fused = new MaskedSoftmaxOperator(softmaxNode, x, greater.Inputs[0], scale, threshold, fill, folded, maskAxes, scaleInput);
            var index = built.FindIndex(b => ReferenceEquals(b.Operator, softmax));
            built[index] = (softmaxNode, fused);
            built.RemoveAll(b => folded.Contains(b.Operator) && !ReferenceEquals(b.Operator, softmax));
        }
    }

    /// <summary>The operator writing <paramref name="value"/> when <paramref name="reader"/> is its only reader and it is not a graph output.</summary>
    private static Operator? SoleProducer(List<(NodeProto Node, Operator Operator)> built, HashSet<string> graphOutputs, string value, Operator reader)
    {
        if (graphOutputs.Contains(value)) return null;
        var producer = built.Select(b => b.Operator).FirstOrDefault(o => o.Outputs.Count == 1 && o.Outputs[0] == value);
        var readers = built.Count(b => b.Operator.Inputs.Contains(value));
        return producer is not null && readers == 1 && reader.Inputs.Count(i => i == value) == 1 ? producer : null;
    }

    private static float? Scalar(IReadOnlyDictionary<string, float[]> floatConstants, string name) =>
        floatConstants.TryGetValue(name, out var values) && values.Length == 1 ? values[0] : null;

    /// <summary>The Mul's scalar constant and its other operand, when one of its operands is a scalar constant.</summary>
    private static (float Scale, string Other)? ScalarOperand(IReadOnlyDictionary<string, float[]> floatConstants, ArithmeticOperator<Arithmetic.Multiply> mul)
    {
        string left = mul.Inputs[0], right = mul.Inputs[1];
        if (Scalar(floatConstants, right) is { } r && !floatConstants.ContainsKey(left)) return (r, left);
        if (Scalar(floatConstants, left) is { } l && !floatConstants.ContainsKey(right)) return (l, right);
        return null;
    }
}
