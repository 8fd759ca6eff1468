using System.Numerics.Tensors;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX GRU (opset 14+; gates z, r, h): inputs X, W, R, B?, sequence_lens?, initial_h?; outputs Y?, Y_h?.
/// Both linear_before_reset forms (torch exports 1). Per direction the input projection of all steps is one matrix
/// multiply; then each step multiplies the batch's states by Rᵀ and runs the gates row by row. A batch item past its
/// sequence length keeps its state (Y_h is its last valid state; zeros for a length of 0, as ONNX Runtime gives) and
/// its rows of Y stay zero.
/// </summary>
public sealed class GruOperator : RecurrentOperator
{
    private const int GateCount = 3;
    private readonly bool _linearBeforeReset;

    public GruOperator(NodeProto node) : base(node, GateCount, 6, 2, ["Sigmoid", "Tanh"], "linear_before_reset")
    {
        var linearBeforeReset = Attributes.Int("linear_before_reset", 0);
        if (linearBeforeReset is not (0 or 1))
            throw Unsupported($"has linear_before_reset {linearBeforeReset}; ONNX defines 0 and 1");
        _linearBeforeReset = linearBeforeReset == 1;
    }

    protected override void InferOwnInputs(ReadOnlySpan<PlanInput> inputs, Dimensions dimensions)
    {
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var d = Read(inputs[0].Shape, inputs[2].Shape);
        ReadOnlySpan<float> x = inputs[0].As<float>().Span, w = inputs[1].As<float>().Span, r = inputs[2].As<float>().Span;
        ReadOnlySpan<float> b = Optional(inputs, 3), initialH = Optional(inputs, 5);
        Span<float> y = OutputSpan(outputs, 0), yH = OutputSpan(outputs, 1);
        int h = d.Hidden, width = GateCount * h, steps = LongestSequence(inputs, d);
        y.Clear();

        // Operators are shared by concurrent runs and hold no per-run state, so the gates' scratch is rented per run.
        var projectedLength = d.Sequence * d.Batch * width;
        var scratchLength = projectedLength + d.Batch * width + 3 * d.Batch * h + width + h;
        var rented = TensorPool<float>.Shared.Rent(scratchLength);
        try
        {
            var scratch = rented.AsSpan(0, scratchLength);
            scratch.Clear();
            var projected = scratch[..projectedLength];
            var recurrent = scratch.Slice(projectedLength, d.Batch * width);
            var state = scratch.Slice(projectedLength + d.Batch * width, d.Batch * h);
            var reset = scratch.Slice(projectedLength + d.Batch * width + d.Batch * h, d.Batch * h);
            var resetProjected = scratch.Slice(projectedLength + d.Batch * width + 2 * d.Batch * h, d.Batch * h);
            var bias = scratch.Slice(projectedLength + d.Batch * width + 3 * d.Batch * h, width);
            var rbh = scratch.Slice(projectedLength + d.Batch * width + 3 * d.Batch * h + width, h);
            for (var direction = 0; direction < Directions; direction++)
            {
                var rd = r.Slice(direction * width * h, width * h);
                Biases(b, direction, h, bias, rbh);
                ProjectInputs(x, w.Slice(direction * width * d.Input, width * d.Input), bias, projected, d, width);
                Initialize(initialH, state, direction, d);
                for (var step = 0; step < steps; step++)
                    Step(inputs, d, direction, step, rd, projected, recurrent, state, reset, resetProjected, rbh, y);
                Final(inputs, state, yH, direction, d);
            }
        }
        finally
        {
            TensorPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>One time step of one direction for every batch item still inside its sequence.</summary>
    private void Step(ReadOnlySpan<TensorView> inputs, Dimensions d, int direction, int step, ReadOnlySpan<float> r,
        Span<float> projected, Span<float> recurrent, Span<float> state, Span<float> reset, Span<float> resetProjected,
        ReadOnlySpan<float> rbh, Span<float> y)
    {
        int h = d.Hidden, width = GateCount * h;
        // linear_before_reset multiplies the state by all of Rᵀ at once; otherwise Rh waits for r ⊙ h.
        var recurrentWidth = _linearBeforeReset ? width : 2 * h;
        GemmKernel.MultiplyTransposed(state, r[..(recurrentWidth * h)], recurrent[..(d.Batch * recurrentWidth)], d.Batch, h, recurrentWidth);
        for (var batch = 0; batch < d.Batch; batch++)
        {
            if (Time(inputs, d, direction, step, batch) is not { } time) continue;
            var gates = projected.Slice(Row(time, batch, d) * width, width);
            var hidden = state.Slice(batch * h, h);
            var recurrentRow = recurrent.Slice(batch * recurrentWidth, recurrentWidth);
            GruCellKernel.UpdateAndResetGates(gates, recurrentRow[..(2 * h)], Clip);
            if (_linearBeforeReset)
            {
                GruCellKernel.CandidateLinearBeforeReset(gates, recurrentRow.Slice(2 * h, h), rbh, Clip);
                Finish(gates, hidden, y, d, direction, time, batch);
            }
            else GruCellKernel.ResetHidden(gates, hidden, reset.Slice(batch * h, h));
        }
        if (_linearBeforeReset) return;
        GemmKernel.MultiplyTransposed(reset, r.Slice(2 * h * h, h * h), resetProjected, d.Batch, h, h);
        for (var batch = 0; batch < d.Batch; batch++)
        {
            if (Time(inputs, d, direction, step, batch) is not { } time) continue;
            var gates = projected.Slice(Row(time, batch, d) * width, width);
            GruCellKernel.Candidate(gates, resetProjected.Slice(batch * h, h), Clip);
            Finish(gates, state.Slice(batch * h, h), y, d, direction, time, batch);
        }
    }

    private void Finish(ReadOnlySpan<float> gates, Span<float> hidden, Span<float> y, Dimensions d, int direction, int time, int batch)
    {
        GruCellKernel.Update(gates, hidden);
        if (!y.IsEmpty) hidden.CopyTo(y.Slice(OutputOffset(time, direction, batch, d), d.Hidden));
    }

    /// <summary>The time a batch item reaches at this step of the direction, or null once its sequence has ended.</summary>
    private int? Time(ReadOnlySpan<TensorView> inputs, Dimensions d, int direction, int step, int batch)
    {
        var length = SequenceLength(inputs, batch, d);
        if (step >= length) return null;
        return IsReverse(direction) ? length - 1 - step : step;
    }

    /// <summary>
    /// The bias added to every projected row, <c>[Wbz + Rbz, Wbr + Rbr, Wbh]</c> (plus Rbh unless linear_before_reset,
    /// where Rbh stays inside the reset product and is returned apart in <paramref name="rbh"/>).
    /// </summary>
    private void Biases(ReadOnlySpan<float> b, int direction, int h, Span<float> bias, Span<float> rbh)
    {
        var width = GateCount * h;
        if (b.IsEmpty)
        {
            bias.Clear();
            rbh.Clear();
            return;
        }
        ReadOnlySpan<float> wb = b.Slice(direction * 2 * width, width), rb = b.Slice(direction * 2 * width + width, width);
        TensorPrimitives.Add(wb[..(2 * h)], rb[..(2 * h)], bias[..(2 * h)]);
        if (_linearBeforeReset)
        {
            wb.Slice(2 * h, h).CopyTo(bias.Slice(2 * h, h));
            rb.Slice(2 * h, h).CopyTo(rbh);
        }
        else
        {
            TensorPrimitives.Add(wb.Slice(2 * h, h), rb.Slice(2 * h, h), bias.Slice(2 * h, h));
            rbh.Clear();
        }
    }
}
