namespace AttentionService.Tests.Support;

/// <summary>
/// Computed float32 numbers against a reference, element by element; a failure names the first element that is off,
/// both values and the error. NaN is never close.
/// </summary>
public static class Numerics
{
    /// <summary>
    /// Every element within <paramref name="tolerance"/> of the reference, or within
    /// <paramref name="tolerance"/> × max(1, |expected|) when <paramref name="relative"/>; returns the largest absolute
    /// error seen.
    /// </summary>
    public static double AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string label = "", bool relative = false)
    {
        Assert.Equal(expected.Length, actual.Length);
        var maxError = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(expected[i] - actual[i]);
            var allowed = relative ? tolerance * Math.Max(1, Math.Abs(expected[i])) : tolerance;
            if (!(error <= allowed)) Fail($"{label}[{i}]", expected[i], actual[i], error, allowed);
            maxError = Math.Max(maxError, error);
        }
        return maxError;
    }

    /// <summary>Float32 against float32, e.g. one backend against another.</summary>
    public static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string label = "") =>
        AssertClose(ToDouble(expected), actual, tolerance, label);

    /// <summary>Rows against rows, each of the expected length.</summary>
    public static void AssertClose(double[][] expected, float[][] actual, double tolerance, string label = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], tolerance, $"{label}[{i}]");
    }

    public static void AssertClose(float[][] expected, float[][] actual, double tolerance, string label = "") =>
        AssertClose(expected.Select(row => ToDouble(row)).ToArray(), actual, tolerance, label);

    /// <summary>One number; returns its absolute error.</summary>
    public static double AssertClose(double expected, float actual, double tolerance, string label)
    {
        var error = Math.Abs(expected - actual);
        if (!(error <= tolerance)) Fail(label, expected, actual, error, tolerance);
        return error;
    }

    /// <summary>
    /// The tolerance for sums of <paramref name="k"/> float products of size ≤ 1: float accumulation stays within about
    /// k·2⁻²⁴ of the exact sum, so <paramref name="tolerance"/> holds up to 16 terms and grows linearly past them.
    /// </summary>
    public static double AccumulationTolerance(double tolerance, int k) => tolerance * Math.Max(1, k / 16.0);

    private static void Fail(string label, double expected, float actual, double error, double allowed) =>
        Assert.Fail($"{label}: expected {expected}, got {actual}; error {error:E2} > {allowed:E2}");

    private static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }
}
