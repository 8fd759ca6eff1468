using System.Numerics.Tensors;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Attention (opset 23): <c>Y = softmax(softcap(Q·Kᵀ·scale) + bias)·V</c> per batch item and query head, with K and
/// V after their past (past_key, past_value) and each key/value head shared by q_num_heads / kv_num_heads query heads
/// (GQA, MQA). Inputs are 4-D <c>[batch, heads, sequence, head_size]</c> or 3-D <c>[batch, sequence, heads·head_size]</c>
/// (with q_num_heads and kv_num_heads). The bias is the attn_mask (BOOL: attend where true; FLOAT: added), broadcast
/// to <c>[batch, q_heads, q_sequence, total_sequence]</c>, and is_causal's (query i attends keys j ≤ i + past length,
/// as ONNX's reference computes; ONNX Runtime drops the causal bias for a single query after a past, which differs only
/// when K brings more than one new key).
/// <para>
/// As in ONNX's current definition and ONNX Runtime 1.31 (onnx/onnx#7867 and #7913 moved softcap before the mask):
/// qk_matmul_output is mode 0 <c>Q·Kᵀ·scale</c>, 1 after softcap, 2 after the bias is added, 3 after softmax (the
/// attention weights). Positions a BOOL mask or is_causal excludes get the lowest float added rather than -inf, as
/// ONNX Runtime does (a FLOAT mask is added as given), and a query the mask leaves no key to attend gets zero weights
/// and a zero output, as ONNX Runtime gives, where ONNX's reference computes NaN. Refused: nonpad_kv_seqlen (opset 24), softmax_precision other than FLOAT, a past_key without past_value.
/// </para>
/// </summary>
public sealed class AttentionOperator : Operator
{
    private const int MaskInput = 3, PastKeyInput = 4, PastValueInput = 5, NonPadInput = 6;
    private const int FloatDataType = 1;
    private readonly bool _causal;
    private readonly int? _qHeads, _kvHeads;
    private readonly int _mode;
    private readonly float? _scale;
    private readonly float _softcap;

    public AttentionOperator(NodeProto node) : base(node, 3, 7, 1, 4)
    {
        var attributes = NodeAttributes.Read(node,
            "is_causal", "kv_num_heads", "q_num_heads", "qk_matmul_output_mode", "scale", "softcap", "softmax_precision");
        var causal = attributes.Int("is_causal", 0);
        if (causal is not (0 or 1))
            throw Unsupported($"has is_causal {causal}; ONNX defines 0 and 1");
        _causal = causal == 1;
        _qHeads = Heads(attributes, "q_num_heads");
        _kvHeads = Heads(attributes, "kv_num_heads");
        var mode = attributes.Int("qk_matmul_output_mode", 0);
        if (mode is < 0 or > 3)
            throw Unsupported($"has qk_matmul_output_mode {mode}; ONNX defines 0 (Q·Kᵀ·scale), 1 (after softcap), 2 (after the mask), 3 (after softmax)");
        _mode = (int)mode;
        if (attributes.Has("scale"))
        {
            var scale = attributes.Float("scale", 0f);
            if (!(scale > 0f) || float.IsInfinity(scale))
                throw Unsupported($"has scale {scale}; the managed kernel takes a positive finite scale");
            _scale = scale;
        }
        _softcap = attributes.Float("softcap", 0f);
        if (!(_softcap >= 0f) || float.IsInfinity(_softcap))
            throw Unsupported($"has softcap {_softcap}; ONNX's softcap is 0 (none) or positive");
        if (attributes.Has("softmax_precision") && attributes.Int("softmax_precision", FloatDataType) != FloatDataType)
            throw Unsupported($"has softmax_precision {attributes.Int("softmax_precision", FloatDataType)}; the managed kernel computes softmax in FLOAT (1) only");
        if (Present(NonPadInput))
            throw Unsupported($"takes nonpad_kv_seqlen ('{Inputs[NonPadInput]}'), an opset 24 input the managed kernel does not implement");
        if (Present(PastKeyInput) != Present(PastValueInput))
            throw Unsupported("takes one of past_key and past_value without the other; ONNX requires both or neither");
    }

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        for (var i = 0; i < inputs.Length; i++)
        {
            if (i == MaskInput) RequireType(inputs, i, TensorElementType.Float32, TensorElementType.Bool);
            else RequireType(inputs, i, TensorElementType.Float32);
        }
        outputs.Fill(TensorElementType.Float32);
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var g = Measure(inputs[0].RequiredShape, inputs[1].RequiredShape, inputs[2].RequiredShape,
            Shape(inputs, PastKeyInput), Shape(inputs, PastValueInput));
        if (Shape(inputs, MaskInput) is { } mask)
        {
            ReadOnlySpan<int> target = [g.Batch, g.QHeads, g.QLength, g.Total];
            var fits = mask.Length is >= 1 and <= 4;
            for (var i = 1; fits && i <= mask.Length; i++) fits = mask[^i] == 1 || mask[^i] == target[^i];
            if (!fits)
                throw ShapeError($"attn_mask has shape {ShapeText(mask)}, which does not broadcast to [batch, q_num_heads, q_sequence_length, total_sequence_length] = {ShapeText(target)}");
        }
        int[][] shapes =
        [
            g.ThreeD ? [g.Batch, g.QLength, g.QHeads * g.ValueSize] : [g.Batch, g.QHeads, g.QLength, g.ValueSize],
            [g.Batch, g.KvHeads, g.Total, g.HeadSize],
            [g.Batch, g.KvHeads, g.Total, g.ValueSize],
            [g.Batch, g.QHeads, g.QLength, g.Total],
        ];
        for (var o = 0; o < outputs.Length; o++) outputs[o] = shapes[o];
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var g = Measure(inputs[0].Shape, inputs[1].Shape, inputs[2].Shape, Shape(inputs, PastKeyInput), Shape(inputs, PastValueInput));
        ReadOnlySpan<float> q = inputs[0].As<float>().Span, k = inputs[1].As<float>().Span, v = inputs[2].As<float>().Span;
        ReadOnlySpan<float> pastKey = Floats(inputs, PastKeyInput), pastValue = Floats(inputs, PastValueInput);
        var y = outputs[0].As<float>().Span;
        Span<float> presentKey = Output(outputs, 1), presentValue = Output(outputs, 2), qk = Output(outputs, 3);

        // 4-D K and V without a past are already [batch, kv_heads, total, head_size]; otherwise they are laid out so in
        // present_key / present_value, or in scratch when the node does not ask for those.
        var direct = !g.ThreeD && g.PastLength == 0;
        int keysLength = g.Batch * g.KvHeads * g.Total * g.HeadSize, valuesLength = g.Batch * g.KvHeads * g.Total * g.ValueSize;
        var keysScratch = presentKey.IsEmpty && !direct ? keysLength : 0;
        var valuesScratch = presentValue.IsEmpty && !direct ? valuesLength : 0;
        var scoresLength = g.QLength * g.Total;
        var headScratch = g.ThreeD ? g.QLength * (g.HeadSize + g.ValueSize) : 0;
        var scratchLength = scoresLength + headScratch + keysScratch + valuesScratch;
        // Operators are shared by concurrent runs and hold no per-run state, so the scores' scratch is rented per run.
        var rented = TensorPool<float>.Shared.Rent(scratchLength);
        try
        {
            var scratch = rented.AsSpan(0, scratchLength);
            var scores = scratch[..scoresLength];
            var queryHead = scratch.Slice(scoresLength, g.ThreeD ? g.QLength * g.HeadSize : 0);
            var outputHead = scratch.Slice(scoresLength + queryHead.Length, g.ThreeD ? g.QLength * g.ValueSize : 0);
            var keys = !presentKey.IsEmpty ? presentKey : scratch.Slice(scoresLength + headScratch, keysScratch);
            var values = !presentValue.IsEmpty ? presentValue : scratch.Slice(scoresLength + headScratch + keysScratch, valuesScratch);
            if (!keys.IsEmpty) Concatenate(pastKey, k, keys, g, g.HeadSize);
            if (!values.IsEmpty) Concatenate(pastValue, v, values, g, g.ValueSize);
            ReadOnlySpan<float> allKeys = keys.IsEmpty ? k : keys, allValues = values.IsEmpty ? v : values;

            Span<int> maskStrides = stackalloc int[4];
            var mask = MaskInput < inputs.Length ? inputs[MaskInput] : default;
            if (mask.Shape is not null)
                BroadcastShapes.Strides(mask.Shape, mask.Length, [g.Batch, g.QHeads, g.QLength, g.Total], maskStrides, "attn_mask");
            var scale = _scale ?? 1f / MathF.Sqrt(g.HeadSize);
            var group = g.QHeads / g.KvHeads;
            for (var b = 0; b < g.Batch; b++)
            {
                for (var h = 0; h < g.QHeads; h++)
                {
                    var kvHead = (b * g.KvHeads + h / group) * g.Total;
                    var head = (b * g.QHeads + h) * g.QLength;
                    ReadOnlySpan<float> query = g.ThreeD ? Gather(q, queryHead, b, h, g.QLength, g.QHeads, g.HeadSize) : q.Slice(head * g.HeadSize, g.QLength * g.HeadSize);
                    GemmKernel.MultiplyTransposed(query, allKeys.Slice(kvHead * g.HeadSize, g.Total * g.HeadSize), scores, g.QLength, g.HeadSize, g.Total);
                    TensorPrimitives.Multiply(scores, scale, scores);
                    // qk_matmul_output, when the node has that output, takes the scores at the stage its mode names.
                    var weights = qk.IsEmpty ? [] : qk.Slice(head * g.Total, scoresLength);
                    var stage = weights.IsEmpty ? -1 : _mode;
                    if (stage == 0) scores.CopyTo(weights);
                    if (_softcap > 0f)
                    {
                        TensorPrimitives.Divide(scores, _softcap, scores);
                        TensorPrimitives.Tanh(scores, scores);
                        TensorPrimitives.Multiply(scores, _softcap, scores);
                    }
                    if (stage == 1) scores.CopyTo(weights);
                    AddBias(scores, mask, maskStrides, b, h, g);
                    if (stage == 2) scores.CopyTo(weights);
                    Normalize(scores, g.Total, masked: mask.Shape is not null);
                    if (stage == 3) scores.CopyTo(weights);
                    var context = g.ThreeD ? outputHead : y.Slice(head * g.ValueSize, g.QLength * g.ValueSize);
                    GemmKernel.Multiply(scores, allValues.Slice(kvHead * g.ValueSize, g.Total * g.ValueSize), context, g.QLength, g.Total, g.ValueSize);
                    if (g.ThreeD) Scatter(context, y, b, h, g.QLength, g.QHeads, g.ValueSize);
                }
            }
        }
        finally
        {
            TensorPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Adds the mask and the causal bias to one head's scores: keys past a query's causal limit get the lowest float
    /// (whatever the mask says there, as ONNX Runtime gives), the others the mask's value (a BOOL mask's false: the
    /// lowest float).
    /// </summary>
    private void AddBias(Span<float> scores, TensorView mask, ReadOnlySpan<int> strides, int b, int h, Geometry g)
    {
        for (var i = 0; i < g.QLength; i++)
        {
            var row = scores.Slice(i * g.Total, g.Total);
            var attended = _causal ? Math.Min(g.Total, i + g.PastLength + 1) : g.Total;
            if (mask.Shape is not null)
            {
                var offset = b * strides[0] + h * strides[1] + i * strides[2];
                var keyStride = strides[3];
                var visible = row[..attended];
                if (mask.ElementType == TensorElementType.Float32)
                {
                    var values = mask.As<float>().Span;
                    if (keyStride == 0) TensorPrimitives.Add(visible, values[offset], visible);
                    else TensorPrimitives.Add(visible, values.Slice(offset, attended), visible);
                }
                else
                {
                    var attend = mask.As<bool>().Span;
                    for (var j = 0; j < attended; j++)
                        if (!attend[offset + j * keyStride]) visible[j] += float.MinValue;
                }
            }
            if (attended < g.Total) TensorPrimitives.Add(row[attended..], float.MinValue, row[attended..]);
        }
    }

    /// <summary>
    /// Softmax of each row of scores. A row whose every key the mask hides (its maximum is the lowest float or -inf)
    /// becomes zeros, as ONNX Runtime gives, rather than uniform weights or NaN; only a mask can hide every key.
    /// </summary>
    private static void Normalize(Span<float> scores, int total, bool masked)
    {
        if (!masked)
        {
            SoftmaxKernel.Rows(scores, scores, total);
            return;
        }
        for (var offset = 0; offset < scores.Length; offset += total)
        {
            var row = scores.Slice(offset, total);
            if (TensorPrimitives.Max(row) <= float.MinValue) row.Clear();
            else SoftmaxKernel.Rows(row, row, total);
        }
    }

    /// <summary>
    /// <paramref name="present"/> = the past followed by the current keys (or values), as
    /// <c>[batch, kv_heads, total, size]</c>; 3-D current ones are split into heads on the way.
    /// </summary>
    private static void Concatenate(ReadOnlySpan<float> past, ReadOnlySpan<float> current, Span<float> present, Geometry g, int size)
    {
        for (var b = 0; b < g.Batch; b++)
        {
            for (var head = 0; head < g.KvHeads; head++)
            {
                var destination = present.Slice((b * g.KvHeads + head) * g.Total * size, g.Total * size);
                if (g.PastLength > 0) past.Slice((b * g.KvHeads + head) * g.PastLength * size, g.PastLength * size).CopyTo(destination);
                var rest = destination[(g.PastLength * size)..];
                if (!g.ThreeD)
                {
                    current.Slice((b * g.KvHeads + head) * g.KvLength * size, g.KvLength * size).CopyTo(rest);
                    continue;
                }
                for (var s = 0; s < g.KvLength; s++)
                    current.Slice(((b * g.KvLength + s) * g.KvHeads + head) * size, size).CopyTo(rest.Slice(s * size, size));
            }
        }
    }

    /// <summary>One head of a 3-D <c>[batch, sequence, heads·size]</c> tensor, gathered into <c>[sequence, size]</c>.</summary>
    private static ReadOnlySpan<float> Gather(ReadOnlySpan<float> source, Span<float> head, int b, int h, int length, int heads, int size)
    {
        for (var s = 0; s < length; s++)
            source.Slice(((b * length + s) * heads + h) * size, size).CopyTo(head.Slice(s * size, size));
        return head;
    }

    /// <summary>One head's <c>[sequence, size]</c> rows written into a 3-D <c>[batch, sequence, heads·size]</c> tensor.</summary>
    private static void Scatter(ReadOnlySpan<float> head, Span<float> destination, int b, int h, int length, int heads, int size)
    {
        for (var s = 0; s < length; s++)
            head.Slice(s * size, size).CopyTo(destination.Slice(((b * length + s) * heads + h) * size, size));
    }

    /// <summary>The sizes of a run, checked: a shape the node cannot take is a <see cref="Operator.ShapeError"/>.</summary>
    private Geometry Measure(int[] q, int[] k, int[] v, int[]? pastKey, int[]? pastValue)
    {
        if (q.Length != k.Length || q.Length != v.Length || q.Length is not (3 or 4))
            throw ShapeError($"Q {ShapeText(q)}, K {ShapeText(k)} and V {ShapeText(v)} must all be 4-D [batch, heads, sequence, head_size] or all 3-D [batch, sequence, hidden]");
        var threeD = q.Length == 3;
        int batch = q[0], qHeads, kvHeads, qLength, kvLength, headSize, valueSize;
        if (threeD)
        {
            if (_qHeads is not { } qh || _kvHeads is not { } kvh)
                throw ShapeError("takes 3-D Q, K and V, which need the q_num_heads and kv_num_heads attributes");
            (qHeads, kvHeads, qLength, kvLength) = (qh, kvh, q[1], k[1]);
            if (q[2] % qHeads != 0 || k[2] % kvHeads != 0 || v[2] % kvHeads != 0)
                throw ShapeError($"Q {ShapeText(q)}, K {ShapeText(k)} and V {ShapeText(v)} do not split into {qHeads} query and {kvHeads} key/value heads");
            (headSize, valueSize) = (q[2] / qHeads, v[2] / kvHeads);
            if (k[2] / kvHeads != headSize)
                throw ShapeError($"Q {ShapeText(q)} has query heads of {headSize} but K {ShapeText(k)} has key heads of {k[2] / kvHeads}");
            if (v[1] != kvLength)
                throw ShapeError($"K {ShapeText(k)} and V {ShapeText(v)} must have one sequence length");
        }
        else
        {
            (qHeads, kvHeads, qLength, kvLength, headSize, valueSize) = (q[1], k[1], q[2], k[2], q[3], v[3]);
            if (k[3] != headSize || v[1] != kvHeads || v[2] != kvLength)
                throw ShapeError($"Q {ShapeText(q)}, K {ShapeText(k)} and V {ShapeText(v)} must share head_size (Q, K), heads and sequence length (K, V)");
            if (_qHeads is { } qh && qh != qHeads || _kvHeads is { } kvh && kvh != kvHeads)
                throw ShapeError($"has q_num_heads {_qHeads} and kv_num_heads {_kvHeads}, but Q {ShapeText(q)} and K {ShapeText(k)} have {qHeads} and {kvHeads} heads");
        }
        if (k[0] != batch || v[0] != batch)
            throw ShapeError($"Q {ShapeText(q)}, K {ShapeText(k)} and V {ShapeText(v)} must have one batch size");
        if (qHeads % kvHeads != 0)
            throw ShapeError($"has {qHeads} query heads, not a multiple of its {kvHeads} key/value heads");
        var pastLength = 0;
        if (pastKey is not null && pastValue is not null)
        {
            pastLength = pastKey.Length == 4 ? pastKey[2] : -1;
            ReadOnlySpan<int> keyShape = [batch, kvHeads, pastLength, headSize], valueShape = [batch, kvHeads, pastLength, valueSize];
            if (!pastKey.AsSpan().SequenceEqual(keyShape) || !pastValue.AsSpan().SequenceEqual(valueShape))
                throw ShapeError($"past_key {ShapeText(pastKey)} and past_value {ShapeText(pastValue)} must be [batch, kv_num_heads, past_sequence_length, head_size] = {ShapeText(keyShape)} and {ShapeText(valueShape)}");
        }
        if (pastLength + kvLength == 0)
            throw ShapeError("has no key positions to attend (K and past_key are empty)");
        return new Geometry(batch, qHeads, kvHeads, qLength, kvLength, pastLength, headSize, valueSize, threeD);
    }

    private bool Present(int input) => input < Inputs.Count && Inputs[input].Length > 0;

    private int? Heads(NodeAttributes attributes, string name)
    {
        if (!attributes.Has(name)) return null;
        var heads = attributes.Int(name, 0);
        return heads is > 0 and <= int.MaxValue ? (int)heads : throw Unsupported($"has {name} {heads}; it must be a positive head count");
    }

    private static int[]? Shape(ReadOnlySpan<PlanInput> inputs, int input) => input < inputs.Length ? inputs[input].Shape : null;

    private static int[]? Shape(ReadOnlySpan<TensorView> inputs, int input) => input < inputs.Length ? inputs[input].Shape : null;

    private static ReadOnlySpan<float> Floats(ReadOnlySpan<TensorView> inputs, int input) =>
        input < inputs.Length && inputs[input].Shape is not null ? inputs[input].As<float>().Span : [];

    private static Span<float> Output(ReadOnlySpan<TensorView> outputs, int output) =>
        output < outputs.Length ? outputs[output].As<float>().Span : [];

    /// <summary>The sizes of one run: heads, sequence lengths (total = past + current) and head sizes of keys and values.</summary>
    private readonly record struct Geometry(int Batch, int QHeads, int KvHeads, int QLength, int KvLength, int PastLength, int HeadSize, int ValueSize, bool ThreeD)
    {
        public int Total => PastLength + KvLength;
    }
}
