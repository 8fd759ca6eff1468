using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Einsum over float32, for the equations <see cref="EinsumEquation"/> parses. Two operands run as a batched
/// matrix multiply: each label is a batch label (both operands and the output), a free label of one operand (it and
/// the output) or a contracted label (both operands, not the output); A is read as <c>[batch, free-A, contracted]</c>,
/// B as <c>[batch, contracted, free-B]</c> or <c>[batch, free-B, contracted]</c> (A·Bᵀ), and the product is
/// <c>[batch, free-A, free-B]</c>. An operand or output already laid out so (size-1 axes aside) is used in place,
/// as in the attention equations ("bhqd,bhkd->bhqk", "bhqk,bhkd->bhqd"); otherwise it is permuted through pooled
/// scratch rented during the run. Batch labels broadcast where one side has size 1 (every ellipsis stands for the same
/// number of dimensions, as ONNX's shape inference requires); other labels must agree. One
/// operand is a permutation (a transpose) or, with labels summed away, a scalar sum.
/// </summary>
public sealed class EinsumOperator : Operator
{
    private const int Absent = -1;

    private readonly EinsumEquation _equation;

    // Any number of inputs reaches the equation, which refuses more than two operands by name.
    public EinsumOperator(NodeProto node) : base(node, 1, int.MaxValue)
    {
        var text = NodeAttributes.Read(node, "equation").String("equation")
            ?? throw Unsupported("lacks the required attribute 'equation'");
        try
        {
            _equation = EinsumEquation.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw Unsupported($"equation \"{text}\" {e.Message}");
        }
        if (_equation.Operands.Count != Inputs.Count)
            throw Unsupported($"equation \"{text}\" has {_equation.Operands.Count} operand(s) but the node has {Inputs.Count} input(s)");
        Equation = text;
    }

    public string Equation { get; }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        Span<int> labels = stackalloc int[3 * TransposeKernel.MaxRank];
        Span<int> sizes = stackalloc int[3 * EinsumEquation.LabelCount];
        var a = inputs[0].RequiredShape;
        var b = inputs.Length > 1 ? inputs[1].RequiredShape : null;
        var outputRank = Bind(a, b, labels, sizes);
        var outputLabels = labels.Slice(2 * TransposeKernel.MaxRank, outputRank);
        var outputSizes = sizes.Slice(2 * EinsumEquation.LabelCount, EinsumEquation.LabelCount);
        var shape = new int[outputRank];
        for (var i = 0; i < outputRank; i++) shape[i] = outputSizes[outputLabels[i]];
        outputs[0] = shape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        Span<int> labels = stackalloc int[3 * TransposeKernel.MaxRank];
        Span<int> sizes = stackalloc int[3 * EinsumEquation.LabelCount];
        var a = inputs[0].As<float>();
        var destination = outputs[0].As<float>();
        if (inputs.Length == 1)
        {
            Bind(a.Shape, null, labels, sizes);
            Single(a, labels[..a.Rank], labels.Slice(2 * TransposeKernel.MaxRank, destination.Rank), destination);
            return;
        }
        var b = inputs[1].As<float>();
        Bind(a.Shape, b.Shape, labels, sizes);
        Pair(a, b, destination, labels[..a.Rank], labels.Slice(TransposeKernel.MaxRank, b.Rank), labels.Slice(2 * TransposeKernel.MaxRank, destination.Rank),
            sizes[..EinsumEquation.LabelCount], sizes.Slice(EinsumEquation.LabelCount, EinsumEquation.LabelCount), sizes.Slice(2 * EinsumEquation.LabelCount, EinsumEquation.LabelCount));
    }

    /// <summary>
    /// Labels each axis of A, B (absent: null) and the output (three rows of <see cref="TransposeKernel.MaxRank"/> in
    /// <paramref name="labels"/>) and sizes each label (three rows of <see cref="EinsumEquation.LabelCount"/> in
    /// <paramref name="sizes"/>: its size in A, in B, <see cref="Absent"/> where the operand lacks it, and the size it
    /// takes in the output and the product, batch sizes broadcast); returns the output's rank. Shapes the equation
    /// cannot take are shape errors.
    /// </summary>
    private int Bind(int[] a, int[]? b, Span<int> labels, Span<int> sizes)
    {
        const int labelCount = EinsumEquation.LabelCount;
        const int maxRank = TransposeKernel.MaxRank;
        sizes.Fill(Absent);
        var ellipsisRank = 0;
        for (var k = 0; k < _equation.Operands.Count; k++)
        {
            var term = _equation.Operands[k];
            var shape = k == 0 ? a : b!;
            var letters = EinsumEquation.LetterCount(term);
            if (term.Contains('.') ? shape.Length < letters : shape.Length != letters)
                throw ShapeError($"operand {k} {ShapeText(shape)} does not fit term '{term.Replace(".", "...")}' of equation \"{Equation}\"");
            if (shape.Length > maxRank)
                throw ShapeError($"operand {k} {ShapeText(shape)} has rank {shape.Length}; at most {maxRank} is supported");
            if (!term.Contains('.')) continue;
            // ONNX's shape inference holds every ellipsis to one number of dimensions (sizes of 1 broadcast within it).
            if (k > 0 && _equation.Operands[0].Contains('.') && shape.Length - letters != ellipsisRank)
                throw ShapeError($"the ellipsis stands for {ellipsisRank} dimension(s) in operand 0 {ShapeText(a)} but {shape.Length - letters} in operand {k} {ShapeText(shape)} of equation \"{Equation}\"; ONNX requires the same number");
            ellipsisRank = shape.Length - letters;
        }
        var outputRank = EinsumEquation.LetterCount(_equation.Output) + (_equation.Output.Contains('.') ? ellipsisRank : 0);
        if (outputRank > maxRank)
            throw ShapeError($"the output of equation \"{Equation}\" would have rank {outputRank}; at most {maxRank} is supported");

        var outputSizes = sizes.Slice(2 * labelCount, labelCount);
        for (var k = 0; k < _equation.Operands.Count; k++)
        {
            var shape = k == 0 ? a : b!;
            var operandLabels = labels.Slice(k * maxRank, shape.Length);
            EinsumEquation.Expand(_equation.Operands[k], shape.Length, ellipsisRank, operandLabels);
            var operandSizes = sizes.Slice(k * labelCount, labelCount);
            for (var axis = 0; axis < shape.Length; axis++)
            {
                var label = operandLabels[axis];
                operandSizes[label] = shape[axis];
                var other = outputSizes[label];
                // Sizes agree across operands, except that a batch label of size 1 on one side broadcasts.
                if (other == Absent || other == shape[axis]) outputSizes[label] = shape[axis];
                else if (other == 1 || shape[axis] == 1)
                {
                    if (label < EinsumEquation.FirstEllipsisLabel && !_equation.Output.Contains(EinsumEquation.LetterOf(label)))
                        throw ShapeError($"contracted {LabelName(label)} has sizes {other} and {shape[axis]} in equation \"{Equation}\" (operands {ShapeText(a)}, {ShapeText(b ?? [])})");
                    outputSizes[label] = Math.Max(other, shape[axis]);
                }
                else
                    throw ShapeError($"{LabelName(label)} has sizes {other} and {shape[axis]} in equation \"{Equation}\" (operands {ShapeText(a)}, {ShapeText(b ?? [])})");
            }
        }
        EinsumEquation.Expand(_equation.Output, outputRank, ellipsisRank, labels.Slice(2 * maxRank, outputRank));
        return outputRank;
    }

    private static string LabelName(int label) => label switch
    {
        < EinsumEquation.FirstEllipsisLabel => $"label '{EinsumEquation.LetterOf(label)}'",
        _ => $"dimension {label - EinsumEquation.FirstEllipsisLabel} of the ellipsis",
    };

    /// <summary>One operand: a transpose when every label stays, else a sum over the dropped labels.</summary>
    private static void Single(TensorView<float> a, ReadOnlySpan<int> aLabels, ReadOnlySpan<int> outputLabels, TensorView<float> destination)
    {
        var rank = a.Rank;
        if (outputLabels.Length == rank)
        {
            Span<int> perm = stackalloc int[rank];
            for (var i = 0; i < rank; i++) perm[i] = aLabels.IndexOf(outputLabels[i]);
            TransposeKernel.Transpose(a.Span, a.Shape, perm, destination.Span);
            return;
        }

        // Output stride of each input axis (0 where its label is summed), and an odometer over the input.
        Span<int> strides = stackalloc int[rank];
        Span<int> index = stackalloc int[rank];
        index.Clear();
        for (var axis = 0; axis < rank; axis++)
        {
            var o = outputLabels.IndexOf(aLabels[axis]);
            var stride = 0;
            if (o >= 0)
            {
                stride = 1;
                for (var later = o + 1; later < outputLabels.Length; later++) stride *= destination.Shape[later];
            }
            strides[axis] = stride;
        }
        var x = a.Span;
        var y = destination.Span;
        y.Clear();
        var offset = 0;
        for (var i = 0; i < x.Length; i++)
        {
            y[offset] += x[i];
            for (var axis = rank - 1; axis >= 0; axis--)
            {
                offset += strides[axis];
                if (++index[axis] < a.Shape[axis]) break;
                offset -= strides[axis] * a.Shape[axis];
                index[axis] = 0;
            }
        }
    }

    private static void Pair(TensorView<float> a, TensorView<float> b, TensorView<float> destination,
        ReadOnlySpan<int> aLabels, ReadOnlySpan<int> bLabels, ReadOnlySpan<int> outputLabels,
        ReadOnlySpan<int> aSizes, ReadOnlySpan<int> bSizes, ReadOnlySpan<int> outputSizes)
    {
        if (destination.Length == 0) return;

        // The canonical orders: batch labels as the output has them, free labels and contracted labels as their operand does.
        Span<int> batch = stackalloc int[TransposeKernel.MaxRank];
        Span<int> freeA = stackalloc int[TransposeKernel.MaxRank];
        Span<int> freeB = stackalloc int[TransposeKernel.MaxRank];
        Span<int> contracted = stackalloc int[TransposeKernel.MaxRank];
        int batchRank = 0, freeARank = 0, freeBRank = 0, contractedRank = 0;
        foreach (var label in outputLabels)
            if (aSizes[label] != Absent && bSizes[label] != Absent) batch[batchRank++] = label;
        foreach (var label in aLabels)
        {
            if (bSizes[label] == Absent) freeA[freeARank++] = label;
            else if (!outputLabels.Contains(label)) contracted[contractedRank++] = label;
        }
        foreach (var label in bLabels)
            if (aSizes[label] == Absent) freeB[freeBRank++] = label;
        batch = batch[..batchRank];
        freeA = freeA[..freeARank];
        freeB = freeB[..freeBRank];
        contracted = contracted[..contractedRank];

        var m = Product(freeA, aSizes);
        var n = Product(freeB, bSizes);
        var k = Product(contracted, aSizes);
        if (k == 0)
        {
            destination.Span.Clear();
            return;
        }

        // A as [batch, free-A, contracted]; B as [batch, contracted, free-B] or, transposed, [batch, free-B, contracted].
        Span<int> aTarget = stackalloc int[a.Rank];
        Span<int> bTarget = stackalloc int[b.Rank];
        Concatenate(aTarget, batch, freeA, contracted);
        var aInPlace = Matches(aLabels, aSizes, aTarget);
        Concatenate(bTarget, batch, freeB, contracted);
        var bTransposed = Matches(bLabels, bSizes, bTarget);
        if (!bTransposed)
        {
            Concatenate(bTarget, batch, contracted, freeB);
            if (!Matches(bLabels, bSizes, bTarget) && contractedRank > 1)
            {
                // B holds the contracted labels in another order: take B's order if A then still needs no copy.
                Span<int> bOrder = stackalloc int[contractedRank];
                var count = 0;
                foreach (var label in bLabels)
                    if (contracted.Contains(label)) bOrder[count++] = label;
                Span<int> aAlternative = stackalloc int[a.Rank];
                Concatenate(aAlternative, batch, freeA, bOrder);
                if (Matches(aLabels, aSizes, aAlternative) || !aInPlace)
                {
                    bOrder.CopyTo(contracted);
                    aAlternative.CopyTo(aTarget);
                    aInPlace = Matches(aLabels, aSizes, aTarget);
                    Concatenate(bTarget, batch, freeB, contracted);
                    bTransposed = Matches(bLabels, bSizes, bTarget);
                    if (!bTransposed) Concatenate(bTarget, batch, contracted, freeB);
                }
            }
        }
        var bInPlace = bTransposed || Matches(bLabels, bSizes, bTarget);

        Span<int> resultLabels = stackalloc int[destination.Rank];
        Concatenate(resultLabels, batch, freeA, freeB);
        var resultInPlace = Matches(outputLabels, outputSizes, resultLabels);

        float[]? aRented = null, bRented = null, resultRented = null;
        try
        {
            var aData = aInPlace ? a.Span : Permute(a, aLabels, aTarget, ref aRented);
            var bData = bInPlace ? b.Span : Permute(b, bLabels, bTarget, ref bRented);
            var result = resultInPlace
                ? destination.Span
                : (resultRented = TensorPool<float>.Shared.Rent(destination.Length)).AsSpan(0, destination.Length);
            Multiply(aData, bData, result, batch, aSizes, bSizes, outputSizes, m, k, n, bTransposed);
            if (!resultInPlace)
            {
                Span<int> resultShape = stackalloc int[resultLabels.Length];
                Span<int> perm = stackalloc int[resultLabels.Length];
                for (var i = 0; i < resultLabels.Length; i++)
                {
                    resultShape[i] = outputSizes[resultLabels[i]];
                    perm[i] = resultLabels.IndexOf(outputLabels[i]);
                }
                TransposeKernel.Transpose(result, resultShape, perm, destination.Span);
            }
        }
        finally
        {
            if (aRented is not null) TensorPool<float>.Shared.Return(aRented);
            if (bRented is not null) TensorPool<float>.Shared.Return(bRented);
            if (resultRented is not null) TensorPool<float>.Shared.Return(resultRented);
        }
    }

    /// <summary>The batched product; batch axes broadcast where an operand has size 1 (stride 0), as MatMul's do.</summary>
    private static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<int> batch,
        ReadOnlySpan<int> aSizes, ReadOnlySpan<int> bSizes, ReadOnlySpan<int> outputSizes, int m, int k, int n, bool bTransposed)
    {
        var rank = batch.Length;
        Span<int> aBatch = stackalloc int[rank], bBatch = stackalloc int[rank], outputBatch = stackalloc int[rank];
        for (var i = 0; i < rank; i++)
        {
            aBatch[i] = aSizes[batch[i]];
            bBatch[i] = bSizes[batch[i]];
            outputBatch[i] = outputSizes[batch[i]];
        }
        var count = Tensor.ElementCount(outputBatch);
        if (Tensor.ElementCount(bBatch) == 1)
        {
            // Every batch item multiplies the same B: A's batch stacks into the rows of one GEMM.
            Gemm(a, b, c, count * m, k, n, bTransposed);
            return;
        }
        Span<int> aStrides = stackalloc int[rank], bStrides = stackalloc int[rank];
        BroadcastShapes.Strides(aBatch, Tensor.ElementCount(aBatch), outputBatch, aStrides, "a");
        BroadcastShapes.Strides(bBatch, Tensor.ElementCount(bBatch), outputBatch, bStrides, "b");
        int aMatrix = m * k, bMatrix = k * n, cMatrix = m * n;
        for (var item = 0; item < count; item++)
        {
            int aItem = 0, bItem = 0, rest = item;
            for (var axis = rank - 1; axis >= 0; axis--)
            {
                var index = rest % outputBatch[axis];
                rest /= outputBatch[axis];
                aItem += index * aStrides[axis];
                bItem += index * bStrides[axis];
            }
            Gemm(a.Slice(aItem * aMatrix, aMatrix), b.Slice(bItem * bMatrix, bMatrix), c.Slice(item * cMatrix, cMatrix), m, k, n, bTransposed);
        }
    }

    private static void Gemm(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool bTransposed)
    {
        if (bTransposed) GemmKernel.MultiplyTransposed(a, b, c, m, k, n);
        else GemmKernel.Multiply(a, b, c, m, k, n);
    }

    /// <summary>Copies <paramref name="x"/> into rented scratch with its axes in <paramref name="target"/>'s label order.</summary>
    private static Span<float> Permute(TensorView<float> x, ReadOnlySpan<int> labels, ReadOnlySpan<int> target, ref float[]? rented)
    {
        Span<int> perm = stackalloc int[labels.Length];
        for (var i = 0; i < labels.Length; i++) perm[i] = labels.IndexOf(target[i]);
        rented = TensorPool<float>.Shared.Rent(x.Length);
        var scratch = rented.AsSpan(0, x.Length);
        TransposeKernel.Transpose(x.Span, x.Shape, perm, scratch);
        return scratch;
    }

    /// <summary>Whether axes labelled <paramref name="labels"/> lie in memory as <paramref name="target"/>'s order would: equal once size-1 axes are left out.</summary>
    private static bool Matches(ReadOnlySpan<int> labels, ReadOnlySpan<int> sizes, ReadOnlySpan<int> target)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < labels.Length && sizes[labels[i]] == 1) i++;
            while (j < target.Length && sizes[target[j]] == 1) j++;
            if (i == labels.Length || j == target.Length) return i == labels.Length && j == target.Length;
            if (labels[i++] != target[j++]) return false;
        }
    }

    private static void Concatenate(Span<int> destination, ReadOnlySpan<int> first, ReadOnlySpan<int> second, ReadOnlySpan<int> third)
    {
        first.CopyTo(destination);
        second.CopyTo(destination[first.Length..]);
        third.CopyTo(destination[(first.Length + second.Length)..]);
    }

    private static int Product(ReadOnlySpan<int> labels, ReadOnlySpan<int> sizes)
    {
        var product = 1;
        foreach (var label in labels) product *= sizes[label];
        return product;
    }
}
