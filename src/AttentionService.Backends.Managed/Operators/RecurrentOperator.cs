using System.Numerics.Tensors;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// What ONNX's GRU and LSTM share (opset 14+): inputs X, W, R, optional B, sequence_lens, initial_h and the op's own
/// extras; outputs Y, Y_h and the op's own, all optional; attributes direction, hidden_size, layout, clip and the
/// activations, of which only the defaults are implemented (anything else is refused at load). ONNX types
/// sequence_lens INT32, which the managed backend does not compute in, so a model that gives it as INT32 is refused at
/// load; one that gives it as INT64 runs, each batch item's length read when the node runs.
/// Layout 0: X [seq, batch, input], Y [seq, directions, batch, hidden], states [directions, batch, hidden];
/// layout 1: X [batch, seq, input], Y [batch, seq, directions, hidden], states [batch, directions, hidden].
/// </summary>
public abstract class RecurrentOperator : Operator
{
    private const int SequenceLensInput = 4, InitialHInput = 5;
    private readonly long? _hiddenSize;

    /// <param name="gates">Gate blocks in W and R (3 for GRU, 4 for LSTM).</param>
    /// <param name="defaultActivations">The activations of one direction, in the spec's order, that the kernels compute.</param>
    /// <param name="ownAttributes">The op's attributes beyond the shared ones.</param>
    protected RecurrentOperator(NodeProto node, int gates, int maxInputs, int maxOutputs, string[] defaultActivations, params string[] ownAttributes)
        : base(node, 3, maxInputs, 0, maxOutputs)
    {
        Gates = gates;
        var attributes = NodeAttributes.Read(node,
            ["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size", "layout", .. ownAttributes]);
        Attributes = attributes;
        var direction = attributes.String("direction") ?? "forward";
        (Directions, ReverseOnly) = direction switch
        {
            "forward" => (1, false),
            "reverse" => (1, true),
            "bidirectional" => (2, false),
            _ => throw Unsupported($"has direction '{direction}'; ONNX defines forward, reverse and bidirectional"),
        };
        Layout = (int)attributes.Int("layout", 0);
        if (Layout is not (0 or 1))
            throw Unsupported($"has layout {Layout}; ONNX defines 0 (sequence first) and 1 (batch first)");
        _hiddenSize = attributes.Has("hidden_size") ? attributes.RequiredInt("hidden_size") : null;
        if (_hiddenSize <= 0)
            throw Unsupported($"has hidden_size {_hiddenSize}, which must be positive");
        if (attributes.Has("clip"))
        {
            var clip = attributes.Float("clip", 0f);
            if (!(clip > 0f))
                throw Unsupported($"has clip {clip}; a cell clip threshold must be positive");
            Clip = clip;
        }
        foreach (var name in (string[])["activation_alpha", "activation_beta"])
            if (attributes.Floats(name) is { Length: > 0 })
                throw Unsupported($"sets {name}; the managed kernels compute only the default activations ({string.Join(", ", defaultActivations)}), which take none");
        if (attributes.Strings("activations") is { } activations && !IsDefault(activations, defaultActivations, Directions))
            throw Unsupported($"has activations [{string.Join(", ", activations)}]; the managed kernels compute only the default [{string.Join(", ", Enumerable.Repeat(defaultActivations, Directions).SelectMany(a => a))}]");
    }

    /// <summary>1 for forward or reverse, 2 for bidirectional.</summary>
    protected int Directions { get; }

    /// <summary>Whether the single direction is reverse.</summary>
    protected bool ReverseOnly { get; }

    protected int Layout { get; }

    protected int Gates { get; }

    /// <summary>The cell clip threshold applied to every gate's input before its activation; null without one.</summary>
    protected float? Clip { get; }

    protected NodeAttributes Attributes { get; }

    /// <summary>Whether direction <paramref name="direction"/> (0 or 1) runs from the end of each sequence to its start.</summary>
    protected bool IsReverse(int direction) => ReverseOnly || direction == 1;

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        for (var i = 0; i < inputs.Length; i++)
        {
            if (i == SequenceLensInput) RequireType(inputs, i, TensorElementType.Int64);
            else RequireType(inputs, i, TensorElementType.Float32);
        }
        outputs.Fill(TensorElementType.Float32);
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        int[] x = inputs[0].RequiredShape, w = inputs[1].RequiredShape, r = inputs[2].RequiredShape;
        if (x.Length != 3)
            throw ShapeError($"X has shape {ShapeText(x)}; it must be {(Layout == 0 ? "[seq_length, batch_size, input_size]" : "[batch_size, seq_length, input_size]")}");
        if (r.Length != 3 || r[0] != Directions || r[1] != Gates * r[2] || _hiddenSize is { } h && h != r[2])
            throw ShapeError($"R has shape {ShapeText(r)}; it must be [{Directions}, {Gates}*hidden_size, hidden_size]{(_hiddenSize is { } hs ? $" with hidden_size {hs}" : "")}");
        var d = Read(x, r);
        if (w.Length != 3 || w[0] != Directions || w[1] != Gates * d.Hidden || w[2] != d.Input)
            throw ShapeError($"W has shape {ShapeText(w)}; it must be [{Directions}, {Gates * d.Hidden}, {d.Input}]");
        Require(inputs, 3, [Directions, 2 * Gates * d.Hidden], "B");
        Require(inputs, SequenceLensInput, [d.Batch], "sequence_lens");
        Require(inputs, InitialHInput, StateShape(d), "initial_h");
        InferOwnInputs(inputs, d);
        int[][] shapes = [Layout == 0 ? [d.Sequence, Directions, d.Batch, d.Hidden] : [d.Batch, d.Sequence, Directions, d.Hidden], StateShape(d), StateShape(d)];
        for (var o = 0; o < outputs.Length; o++) outputs[o] = (int[])shapes[o].Clone();
    }

    /// <summary>Checks the shapes of the inputs after initial_h that only this op has.</summary>
    protected abstract void InferOwnInputs(ReadOnlySpan<PlanInput> inputs, Dimensions dimensions);

    /// <summary>Y_h's (and initial_h's) shape.</summary>
    protected int[] StateShape(Dimensions d) => Layout == 0 ? [Directions, d.Batch, d.Hidden] : [d.Batch, Directions, d.Hidden];

    /// <summary>Refuses a present input whose shape is not <paramref name="expected"/>.</summary>
    protected void Require(ReadOnlySpan<PlanInput> inputs, int input, int[] expected, string name)
    {
        if (input < inputs.Length && inputs[input].Shape is { } shape && !shape.AsSpan().SequenceEqual(expected))
            throw ShapeError($"{name} has shape {ShapeText(shape)}; it must be {ShapeText(expected)}");
    }

    /// <summary>The sizes of one run, read from X's and R's shapes.</summary>
    protected Dimensions Read(ReadOnlySpan<int> x, ReadOnlySpan<int> r) =>
        Layout == 0 ? new(x[0], x[1], x[2], r[2]) : new(x[1], x[0], x[2], r[2]);

    /// <summary>The row of X (and of X·Wᵀ) that holds batch item <paramref name="batch"/> at time <paramref name="time"/>.</summary>
    protected int Row(int time, int batch, Dimensions d) => Layout == 0 ? time * d.Batch + batch : batch * d.Sequence + time;

    /// <summary>Where a state row (initial_h, initial_c, Y_h, Y_c) of one direction and batch item starts.</summary>
    protected int StateOffset(int direction, int batch, Dimensions d) =>
        (Layout == 0 ? direction * d.Batch + batch : batch * Directions + direction) * d.Hidden;

    /// <summary>Where Y's row of one time, direction and batch item starts.</summary>
    protected int OutputOffset(int time, int direction, int batch, Dimensions d) =>
        (Layout == 0 ? (time * Directions + direction) * d.Batch + batch : (batch * d.Sequence + time) * Directions + direction) * d.Hidden;

    /// <summary>
    /// Batch item <paramref name="batch"/>'s sequence length: sequence_lens' value (checked against X's sequence
    /// length; a run-time value, so checked here) or, without the input, X's whole sequence.
    /// </summary>
    protected int SequenceLength(ReadOnlySpan<TensorView> inputs, int batch, Dimensions d)
    {
        if (inputs.Length <= SequenceLensInput || inputs[SequenceLensInput].Shape is null) return d.Sequence;
        var length = inputs[SequenceLensInput].As<long>().Span[batch];
        if (length < 0 || length > d.Sequence)
            throw new ArgumentException($"{OpType} node '{NodeName}': sequence_lens[{batch}] is {length}, outside [0, {d.Sequence}] (X's sequence length)");
        return (int)length;
    }

    /// <summary>The longest sequence of the batch: the steps a direction runs.</summary>
    protected int LongestSequence(ReadOnlySpan<TensorView> inputs, Dimensions d)
    {
        var longest = 0;
        for (var b = 0; b < d.Batch; b++) longest = Math.Max(longest, SequenceLength(inputs, b, d));
        return longest;
    }

    /// <summary>An optional float input's data, or empty when the node leaves it out.</summary>
    protected static ReadOnlySpan<float> Optional(ReadOnlySpan<TensorView> inputs, int input) =>
        input < inputs.Length && inputs[input].Shape is not null ? inputs[input].As<float>().Span : [];

    /// <summary>Output <paramref name="output"/>'s data, or empty when the node has no such output.</summary>
    protected static Span<float> OutputSpan(ReadOnlySpan<TensorView> outputs, int output) =>
        output < outputs.Length ? outputs[output].As<float>().Span : [];

    /// <summary>
    /// <c>rows = x · Wᵀ + bias</c> for every row of X (every time step of every batch item): the input projection of
    /// all steps as one matrix multiply, before the steps run one after another.
    /// </summary>
    protected static void ProjectInputs(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> rows, Dimensions d, int width)
    {
        var count = d.Sequence * d.Batch;
        GemmKernel.MultiplyTransposed(x, w, rows, count, d.Input, width);
        for (var row = 0; row < count; row++)
            TensorPrimitives.Add(rows.Slice(row * width, width), bias, rows.Slice(row * width, width));
    }

    /// <summary>The state rows of one direction from its initial input, or zeros without one.</summary>
    protected void Initialize(ReadOnlySpan<float> initial, Span<float> state, int direction, Dimensions d)
    {
        for (var batch = 0; batch < d.Batch; batch++)
        {
            var row = state.Slice(batch * d.Hidden, d.Hidden);
            if (initial.IsEmpty) row.Clear();
            else initial.Slice(StateOffset(direction, batch, d), d.Hidden).CopyTo(row);
        }
    }

    /// <summary>Y_h or Y_c of one direction: each batch item's last valid state, zeros for an empty sequence.</summary>
    protected void Final(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<float> state, Span<float> destination, int direction, Dimensions d)
    {
        if (destination.IsEmpty) return;
        for (var batch = 0; batch < d.Batch; batch++)
        {
            var row = destination.Slice(StateOffset(direction, batch, d), d.Hidden);
            if (SequenceLength(inputs, batch, d) == 0) row.Clear();
            else state.Slice(batch * d.Hidden, d.Hidden).CopyTo(row);
        }
    }

    /// <summary>Whether <paramref name="activations"/> lists the defaults for every direction (names are case-insensitive, as ONNX Runtime reads them).</summary>
    private static bool IsDefault(string[] activations, string[] defaults, int directions)
    {
        if (activations.Length != defaults.Length * directions) return false;
        for (var i = 0; i < activations.Length; i++)
            if (!string.Equals(activations[i], defaults[i % defaults.Length], StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }

    /// <summary>The sizes a run reads from its input shapes.</summary>
    protected readonly record struct Dimensions(int Sequence, int Batch, int Input, int Hidden);
}
