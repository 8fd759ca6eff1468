using AttentionService.Backends.Managed.Kernels;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

/// <summary>The GRU and LSTM gate kernels against a double-precision scalar twin, at hidden sizes that are not multiples of a vector.</summary>
public class RecurrentCellKernelTests
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(1, null)]
    [InlineData(13, null)]
    [InlineData(37, 0.4f)]
    public void GruLinearBeforeResetMatchesScalarTwin(int hidden, float? clip)
    {
        var gates = ScalarReference.Random(1, 3 * hidden, -2f, 2f);
        var recurrent = ScalarReference.Random(2, 3 * hidden, -2f, 2f);
        var rbh = ScalarReference.Random(3, hidden, -1f, 1f);
        var state = ScalarReference.Random(4, hidden, -1f, 1f);
        var expected = new double[hidden];
        for (var i = 0; i < hidden; i++)
        {
            var z = Sigmoid(Clip(gates[i] + recurrent[i], clip));
            var r = Sigmoid(Clip(gates[hidden + i] + recurrent[hidden + i], clip));
            var candidate = Math.Tanh(Clip(gates[2 * hidden + i] + r * (recurrent[2 * hidden + i] + rbh[i]), clip));
            expected[i] = (1 - z) * candidate + z * state[i];
        }

        GruCellKernel.UpdateAndResetGates(gates, recurrent.AsSpan(0, 2 * hidden), clip);
        GruCellKernel.CandidateLinearBeforeReset(gates, recurrent.AsSpan(2 * hidden, hidden), rbh, clip);
        GruCellKernel.Update(gates, state);
        Numerics.AssertClose(expected, state, Tolerance, "h");
    }

    [Theory]
    [InlineData(13, null)]
    [InlineData(37, 0.4f)]
    public void GruResetBeforeLinearMatchesScalarTwin(int hidden, float? clip)
    {
        var gates = ScalarReference.Random(1, 3 * hidden, -2f, 2f);
        var recurrent = ScalarReference.Random(2, 2 * hidden, -2f, 2f);
        var resetProjected = ScalarReference.Random(3, hidden, -2f, 2f);
        var state = ScalarReference.Random(4, hidden, -1f, 1f);
        var expectedReset = new double[hidden];
        var expected = new double[hidden];
        for (var i = 0; i < hidden; i++)
        {
            var z = Sigmoid(Clip(gates[i] + recurrent[i], clip));
            var r = Sigmoid(Clip(gates[hidden + i] + recurrent[hidden + i], clip));
            expectedReset[i] = r * state[i];
            var candidate = Math.Tanh(Clip(gates[2 * hidden + i] + resetProjected[i], clip));
            expected[i] = (1 - z) * candidate + z * state[i];
        }

        var reset = new float[hidden];
        GruCellKernel.UpdateAndResetGates(gates, recurrent, clip);
        GruCellKernel.ResetHidden(gates, state, reset);
        GruCellKernel.Candidate(gates, resetProjected, clip);
        GruCellKernel.Update(gates, state);
        Numerics.AssertClose(expectedReset, reset, Tolerance, "r ⊙ h");
        Numerics.AssertClose(expected, state, Tolerance, "h");
    }

    [Theory]
    [InlineData(1, false, null)]
    [InlineData(13, true, null)]
    [InlineData(37, true, 0.4f)]
    public void LstmStepMatchesScalarTwin(int hidden, bool peepholes, float? clip)
    {
        var gates = ScalarReference.Random(1, 4 * hidden, -2f, 2f);
        var p = peepholes ? ScalarReference.Random(2, 3 * hidden, -1f, 1f) : [];
        var cell = ScalarReference.Random(3, hidden, -1f, 1f);
        var expectedCell = new double[hidden];
        var expectedHidden = new double[hidden];
        for (var j = 0; j < hidden; j++)
        {
            double pi = peepholes ? p[j] : 0, po = peepholes ? p[hidden + j] : 0, pf = peepholes ? p[2 * hidden + j] : 0;
            var i = Sigmoid(Clip(gates[j] + pi * cell[j], clip));
            var f = Sigmoid(Clip(gates[2 * hidden + j] + pf * cell[j], clip));
            var c = Math.Tanh(Clip(gates[3 * hidden + j], clip));
            expectedCell[j] = f * cell[j] + i * c;
            var o = Sigmoid(Clip(gates[hidden + j] + po * expectedCell[j], clip));
            expectedHidden[j] = o * Math.Tanh(expectedCell[j]);
        }

        var state = new float[hidden];
        LstmCellKernel.Step(gates, p, cell, state, clip);
        Numerics.AssertClose(expectedCell, cell, Tolerance, "C");
        Numerics.AssertClose(expectedHidden, state, Tolerance, "H");
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Clip(double x, float? clip) => clip is { } c ? Math.Clamp(x, -c, c) : x;
}
