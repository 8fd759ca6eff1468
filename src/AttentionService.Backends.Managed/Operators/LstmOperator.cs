using System.Numerics.Tensors;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX LSTM (opset 14+; gates i, o, f, c): inputs X, W, R, B?, sequence_lens?, initial_h?, initial_c?, P? (peepholes
/// i, o, f); outputs Y?, Y_h?, Y_c?. input_forget = 1 (coupled input and forget gates) is refused. Per direction the
/// input projection of all steps is one matrix multiply; then each step multiplies the batch's states by Rᵀ and runs
/// the gates row by row. A batch item past its sequence length keeps its state (Y_h and Y_c are its last valid
/// states; zeros for a length of 0, as ONNX Runtime gives) and its rows of Y stay zero.
/// </summary>
public sealed class LstmOperator : RecurrentOperator
{
    private const int GateCount = 4, InitialCInput = 6, PeepholeInput = 7;

    public LstmOperator(NodeProto node) : base(node, GateCount, 8, 3, ["Sigmoid", "Tanh", "Tanh"], "input_forget")
    {
        var inputForget = Attributes.Int("input_forget", 0);
        if (inputForget != 0)
            throw Unsupported($"has input_forget {inputForget}; the managed kernel computes separate input and forget gates only (input_forget = 0)");
    }

    protected override void InferOwnInputs(ReadOnlySpan<PlanInput> inputs, Dimensions dimensions)
    {
        Require(inputs, InitialCInput, StateShape(dimensions), "initial_c");
        Require(inputs, PeepholeInput, [Directions, 3 * dimensions.Hidden], "P");
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var d = Read(inputs[0].Shape, inputs[2].Shape);
        ReadOnlySpan<float> x = inputs[0].As<float>().Span, w = inputs[1].As<float>().Span, r = inputs[2].As<float>().Span;
        ReadOnlySpan<float> b = Optional(inputs, 3), initialH = Optional(inputs, 5), initialC = Optional(inputs, InitialCInput), p = Optional(inputs, PeepholeInput);
        Span<float> y = OutputSpan(outputs, 0), yH = OutputSpan(outputs, 1), yC = OutputSpan(outputs, 2);
        int h = d.Hidden, width = GateCount * h, steps = LongestSequence(inputs, d);
        y.Clear();

        // Operators are shared by concurrent runs and hold no per-run state, so the gates' scratch is rented per run.
        var projectedLength = d.Sequence * d.Batch * width;
        var scratchLength = projectedLength + d.Batch * width + 2 * d.Batch * h + width;
        var rented = TensorPool<float>.Shared.Rent(scratchLength);
        try
        {
            var scratch = rented.AsSpan(0, scratchLength);
            scratch.Clear();
            var projected = scratch[..projectedLength];
            var recurrent = scratch.Slice(projectedLength, d.Batch * width);
            var hiddenState = scratch.Slice(projectedLength + d.Batch * width, d.Batch * h);
            var cellState = scratch.Slice(projectedLength + d.Batch * width + d.Batch * h, d.Batch * h);
            var bias = scratch.Slice(projectedLength + d.Batch * width + 2 * d.Batch * h, width);
            for (var direction = 0; direction < Directions; direction++)
            {
                var rd = r.Slice(direction * width * h, width * h);
                var peepholes = p.IsEmpty ? [] : p.Slice(direction * 3 * h, 3 * h);
                if (b.IsEmpty) bias.Clear();
                else TensorPrimitives.Add(b.Slice(direction * 2 * width, width), b.Slice(direction * 2 * width + width, width), bias);
                ProjectInputs(x, w.Slice(direction * width * d.Input, width * d.Input), bias, projected, d, width);
                Initialize(initialH, hiddenState, direction, d);
                Initialize(initialC, cellState, direction, d);
                for (var step = 0; step < steps; step++)
                {
                    GemmKernel.MultiplyTransposed(hiddenState, rd, recurrent, d.Batch, h, width);
                    for (var batch = 0; batch < d.Batch; batch++)
                    {
                        var length = SequenceLength(inputs, batch, d);
                        if (step >= length) continue;
                        var time = IsReverse(direction) ? length - 1 - step : step;
                        var gates = projected.Slice(Row(time, batch, d) * width, width);
                        var hidden = hiddenState.Slice(batch * h, h);
                        TensorPrimitives.Add(gates, recurrent.Slice(batch * width, width), gates);
                        LstmCellKernel.Step(gates, peepholes, cellState.Slice(batch * h, h), hidden, Clip);
                        if (!y.IsEmpty) hidden.CopyTo(y.Slice(OutputOffset(time, direction, batch, d), h));
                    }
                }
                Final(inputs, hiddenState, yH, direction, d);
                Final(inputs, cellState, yC, direction, d);
            }
        }
        finally
        {
            TensorPool<float>.Shared.Return(rented);
        }
    }
}
