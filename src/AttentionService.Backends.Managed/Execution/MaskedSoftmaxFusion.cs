using AttentionService.Backends.Managed.Operators;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// Folds the masked softmax of attention, <c>Softmax(Where(Greater(mask, t), Mul(x, s), fill), axis = -1)</c>, into
/// one <see cref="MaskedSoftmaxOperator"/>. The Where's fill is a scalar float constant and its condition a Greater
/// of a float mask against a scalar constant; the Mul (by a scalar constant) is folded when present. A node is folded only when
/// the next one in the chain is its sole reader and its output is not a graph output, so nothing else sees a value
/// that no longer exists.
/// </summary>
internal static class MaskedSoftmaxFusion
{
    public static void Apply(List<(NodeProto Node, Operator Operator)> built, HashSet<string> graphOutputs, IReadOnlyDictionary<string, float[]> floatConstants)
    {
        foreach (var (softmaxNode, op) in built.Where(b => b.Operator is SoftmaxOperator { Axis: -1 }).ToArray())
        {
            var softmax = (SoftmaxOperator)op;
            if (SoleProducer(built, graphOutputs, softmax.Inputs[0], softmax) is not WhereOperator where
                || Scalar(floatConstants, where.Inputs[2]) is not { } fill
                || SoleProducer(built, graphOutputs, where.Inputs[0], where) is not GreaterOperator greater
                || Scalar(floatConstants, greater.Inputs[1]) is not { } threshold
                || floatConstants.ContainsKey(greater.Inputs[0]))
                continue;
            var folded = new List<Operator> { greater, where, softmax };
            var x = where.Inputs[1];
            var scale = 1f;
            if (SoleProducer(built, graphOutputs, x, where) is MulOperator mul && ScalarOperand(floatConstants, mul) is var (scaleValue, scaled))
            {
                (scale, x) = (scaleValue, scaled);
                folded.Insert(1, mul);
            }
            var fused = new MaskedSoftmaxOperator(softmaxNode, x, greater.Inputs[0], scale, threshold, fill, folded);
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
    private static (float Scale, string Other)? ScalarOperand(IReadOnlyDictionary<string, float[]> floatConstants, MulOperator mul)
    {
        string left = mul.Inputs[0], right = mul.Inputs[1];
        if (Scalar(floatConstants, right) is { } r && !floatConstants.ContainsKey(left)) return (r, left);
        if (Scalar(floatConstants, left) is { } l && !floatConstants.ContainsKey(right)) return (l, right);
        return null;
    }
}
