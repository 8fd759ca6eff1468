using AttentionService.Tests.Support;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Tests.DestinationRuns;

/// <summary>
/// <see cref="IModelBackend.Run(IReadOnlyList{Tensor<float>}, IReadOnlyList{Tensor<float>}, CancellationToken)"/> on both real
/// backends: the numbers of the allocating run (bit for bit on the managed backend, whose kernels are the same; within
/// 1e-6 on ONNX Runtime, whose bound run may pick other kernels), shapes changing between calls, caller errors, and
/// concurrent runs.
/// </summary>
public class DestinationRunTests
{
    private const float OnnxTolerance = 1e-6f;

    public static TheoryData<BackendKind, string> BackendsAndModels()
    {
        var data = new TheoryData<BackendKind, string>();
        foreach (var kind in new[] { BackendKind.Managed, BackendKind.Onnx })
            foreach (var model in DestinationBackends.BundledModels)
                data.Add(kind, model);
        return data;
    }

    public static TheoryData<BackendKind> Backends => new(BackendKind.Managed, BackendKind.Onnx);

    [Theory]
    [MemberData(nameof(BackendsAndModels))]
    public void DestinationRunGivesTheNumbersOfTheAllocatingRun(BackendKind kind, string name)
    {
        var model = DestinationBackends.Model(name);
        using var backend = DestinationBackends.Create(kind, model);
        (int Batch, int Tq, int Tv, bool Masked)[] shapes = [(1, 1, 32, true), (2, 5, 7, true), (3, 17, 40, false), (2, 33, 65, true)];
        foreach (var (batch, tq, tv, masked) in shapes)
        {
            var inputs = ModelInputs.Create(model.Signature, batch, tq, tv, d: 64, seed: batch * 1000 + tq * 10 + tv, masked);
            RunIntoAndCompare(kind, backend, model.Signature, inputs, $"{name} at ({batch}, {tq}, {tv})");
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ShapesChangingBetweenCallsGiveTheNumbersOfTheAllocatingRun(BackendKind kind)
    {
        var model = DestinationBackends.Model("multihead");
        using var backend = DestinationBackends.Create(kind, model);
        // Back and forth, so a run comes back to shapes a workspace or binding was planned for earlier.
        (int Batch, int Tq, int Tv)[] shapes = [(1, 1, 32), (4, 9, 13), (1, 1, 32), (1, 1, 33), (4, 9, 13), (2, 1, 32)];
        for (var call = 0; call < shapes.Length; call++)
        {
            var (batch, tq, tv) = shapes[call];
            var inputs = ModelInputs.Create(model.Signature, batch, tq, tv, d: 64, seed: call);
            RunIntoAndCompare(kind, backend, model.Signature, inputs, $"call {call} at ({batch}, {tq}, {tv})");
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void SameBuffersWithNewNumbersGiveTheNewResults(BackendKind kind)
    {
        var model = DestinationBackends.Model("luong-dot");
        using var backend = DestinationBackends.Create(kind, model);
        var inputs = ModelInputs.Create(model.Signature, 2, 3, 8, 16, seed: 1);
        var outputs = ModelInputs.RentOutputs(model.Signature, inputs);
        try
        {
            backend.Run(inputs.Views(), outputs.Views(), CancellationToken.None);
            // Same tensors (so the same cached binding or workspace), other numbers.
            var fresh = ModelInputs.Create(model.Signature, 2, 3, 8, 16, seed: 2);
            for (var i = 0; i < inputs.Length; i++) fresh[i].Span.CopyTo(inputs[i].Span);
            ModelInputs.DisposeAll(fresh);
            using var expected = backend.RunRented(inputs.Views(), CancellationToken.None);

            backend.Run(inputs.Views(), outputs.Views(), CancellationToken.None);

            AssertSameNumbers(kind, expected, outputs, "second run");
        }
        finally
        {
            ModelInputs.DisposeAll([.. inputs, .. outputs]);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void WrongOutputCountIsRejectedNamingTheOutputs(BackendKind kind)
    {
        var model = DestinationBackends.Model("luong-dot");
        using var backend = DestinationBackends.Create(kind, model);
        var inputs = ModelInputs.Create(model.Signature, 1, 1, 4, 8, seed: 1);
        using var context = Tensor.Rent<float>(1, 1, 8);

        var error = Assert.Throws<ArgumentException>(() => backend.Run(inputs.Views(), [context], CancellationToken.None));

        Assert.StartsWith("the model has 2 outputs (context, weights), got 1 output tensors", error.Message);
        ModelInputs.DisposeAll(inputs);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void WrongOutputShapeIsRejectedWithBothShapes(BackendKind kind)
    {
        var model = DestinationBackends.Model("luong-dot");
        using var backend = DestinationBackends.Create(kind, model);
        var inputs = ModelInputs.Create(model.Signature, 1, 2, 4, 8, seed: 1);
        using var context = Tensor.Rent<float>(1, 2, 8);
        using var weights = Tensor.Rent<float>(1, 4, 2);

        var error = Assert.Throws<ArgumentException>(() => backend.Run(inputs.Views(), [context, weights], CancellationToken.None));

        Assert.StartsWith("output 'weights' (index 1) is a tensor of shape [1, 4, 2], the run produces [1, 2, 4]", error.Message);
        ModelInputs.DisposeAll(inputs);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void OutputSharingAnInputsBufferIsRejectedAndTheInputIsNotWritten(BackendKind kind)
    {
        var model = DestinationBackends.Model("luong-dot");
        using var backend = DestinationBackends.Create(kind, model);
        // tq = tv and d = dv: the weights [1, 4, 4] have the mask's shape, the context the query's.
        var inputs = ModelInputs.Create(model.Signature, 1, 4, 4, 4, seed: 1);
        var mask = inputs[3].Span.ToArray();
        using var context = Tensor.Rent<float>(1, 4, 4);

        var error = Assert.Throws<ArgumentException>(() => backend.Run(inputs.Views(), [context, inputs[3]], CancellationToken.None));

        Assert.StartsWith("output 'weights' (index 1) shares its buffer with input 3", error.Message);
        Assert.Equal(mask, inputs[3].Span.ToArray());
        ModelInputs.DisposeAll(inputs);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void CancelledRunThrowsAndTheNextRunOnTheSameTensorsSucceeds(BackendKind kind)
    {
        var model = DestinationBackends.Model("luong-dot");
        using var backend = DestinationBackends.Create(kind, model);
        var inputs = ModelInputs.Create(model.Signature, 2, 3, 8, 16, seed: 1);
        var outputs = ModelInputs.RentOutputs(model.Signature, inputs);
        using var expected = backend.RunRented(inputs.Views(), CancellationToken.None);
        try
        {
            backend.Run(inputs.Views(), outputs.Views(), CancellationToken.None);
            outputs[0].Span.Clear();

            Assert.ThrowsAny<OperationCanceledException>(() => backend.Run(inputs.Views(), outputs.Views(), new CancellationToken(canceled: true)));
            // ONNX Runtime's run options are kept with the binding: the cancellation must not stick to them.
            backend.Run(inputs.Views(), outputs.Views(), CancellationToken.None);

            AssertSameNumbers(kind, expected, outputs, "run after the cancelled one");
        }
        finally
        {
            ModelInputs.DisposeAll([.. inputs, .. outputs]);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task ConcurrentRunsEachGetTheirOwnResults(BackendKind kind)
    {
        var model = DestinationBackends.Model("bahdanau");
        using var backend = DestinationBackends.Create(kind, model);
        var tasks = Enumerable.Range(0, 8).Select(task => Task.Run(() =>
        {
            // Two shapes among the tasks, so runs of either shape meet workspaces or bindings planned for the other.
            var inputs = ModelInputs.Create(model.Signature, 1 + task % 2, 3 + task % 2, 9, 64, seed: task);
            var outputs = ModelInputs.RentOutputs(model.Signature, inputs);
            using var expected = backend.RunRented(inputs.Views(), CancellationToken.None);
            try
            {
                for (var round = 0; round < 25; round++)
                {
                    foreach (var output in outputs) output.Span.Fill(float.NaN);
                    backend.Run(inputs.Views(), outputs.Views(), CancellationToken.None);
                    AssertSameNumbers(kind, expected, outputs, $"task {task}, round {round}");
                }
            }
            finally
            {
                ModelInputs.DisposeAll([.. inputs, .. outputs]);
            }
        }));
        await Task.WhenAll(tasks);
    }

    /// <summary>Runs <paramref name="inputs"/> into rented outputs and the allocating way, compares, disposes all.</summary>
    private static void RunIntoAndCompare(BackendKind kind, IModelBackend backend, ModelSignature signature, Tensor<float>[] inputs, string label)
    {
        var outputs = ModelInputs.RentOutputs(signature, inputs);
        using var expected = backend.RunRented(inputs.Views(), CancellationToken.None);
        try
        {
            backend.Run(inputs.Views(), outputs.Views(), CancellationToken.None);
            AssertSameNumbers(kind, expected, outputs, label);
        }
        finally
        {
            ModelInputs.DisposeAll([.. inputs, .. outputs]);
        }
    }

    private static void AssertSameNumbers(BackendKind kind, RentedOutputs expected, Tensor<float>[] actual, string what)
    {
        Assert.Equal(expected.Count, actual.Length);
        for (var o = 0; o < expected.Count; o++)
        {
            Assert.Equal(expected.Float(o).Shape, actual[o].Shape);
            ReadOnlySpan<float> e = expected.Float(o).Span, a = actual[o].Span;
            for (var i = 0; i < e.Length; i++)
            {
                var same = kind == BackendKind.Managed
                    ? BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(a[i])
                    : Math.Abs(e[i] - a[i]) <= OnnxTolerance;
                if (!same) Assert.Fail($"{what}: output {o} element {i} is {a[i]:R}, the allocating run gave {e[i]:R}");
            }
        }
    }
}
