using AttentionService.Backends.Managed;
using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;

namespace AttentionService.Tests.Conformance;

public enum NodeTestVerdict
{
    Passed,
    Refused,
    Failed,
}

/// <summary>What happened to one node test: refusals and failures say why in <see cref="Detail"/>.</summary>
public sealed record NodeTestOutcome(NodeTestVerdict Verdict, string Detail)
{
    public static NodeTestOutcome Passed(int dataSets) => new(NodeTestVerdict.Passed, $"{dataSets} data set(s) within tolerance");
}

/// <summary>
/// One of ONNX's backend node tests (<c>data/node/&lt;name&gt;/</c>: <c>model.onnx</c> and <c>test_data_set_*/</c>)
/// on the managed backend. Floats match within <see cref="AbsoluteTolerance"/> + <see cref="RelativeTolerance"/>·|expected|
/// (ONNX's runner uses rtol 1e-3 and atol 1e-7; float32 kernels that sum in another order need a little more near 0),
/// NaN only NaN; int64, bool and every shape exactly.
/// </summary>
public sealed class NodeTest
{
    /// <summary>Where Debian's libonnx-testdata (ONNX 1.12's backend test data) puts the node tests.</summary>
    public const string Root = "/usr/share/libonnx-testdata/data/node";

    public const string MissingData = $"ONNX's node tests are not at {Root}: install libonnx-testdata (apt)";

    public const double AbsoluteTolerance = 1e-5, RelativeTolerance = 1e-3;

    private readonly Lazy<NodeTestOutcome> _outcome;

    private NodeTest(string directory, IReadOnlyList<string> opTypes)
    {
        Directory = directory;
        OpTypes = opTypes;
        _outcome = new Lazy<NodeTestOutcome>(Run);
    }

    public string Name => Path.GetFileName(Directory);

    public string Directory { get; }

    /// <summary>The distinct op types of the test's graph, sorted.</summary>
    public IReadOnlyList<string> OpTypes { get; }

    /// <summary>Computed once per process, shared by the test of this case and the table of all of them.</summary>
    public NodeTestOutcome Outcome => _outcome.Value;

    /// <summary>
    /// Every node test whose graph uses only default-domain ops the managed backend claims
    /// (<see cref="OperatorCatalog.SupportedOps"/>), function-expanded ones included, sorted by name.
    /// </summary>
    public static IReadOnlyList<NodeTest> Claimed => ClaimedTests.Value;

    /// <summary>The claimed test called <paramref name="name"/>.</summary>
    public static NodeTest Named(string name) => Claimed.Single(t => t.Name == name);

    private static readonly Lazy<IReadOnlyList<NodeTest>> ClaimedTests = new(() =>
        System.IO.Directory.GetDirectories(System.IO.Directory.Exists(Root) ? Root : throw new DirectoryNotFoundException(MissingData))
            .Order(StringComparer.Ordinal)
            .Select(directory => (directory, graph: OnnxModelFile.Parse(File.ReadAllBytes(Path.Combine(directory, "model.onnx"))).Graph))
            .Where(t => t.graph.Node.All(n => n.Domain is "" or "ai.onnx" && OperatorCatalog.IsSupported(n.OpType)))
            .Select(t => new NodeTest(t.directory, t.graph.Node.Select(n => n.OpType).Distinct().Order(StringComparer.Ordinal).ToArray()))
            .ToArray());

    private NodeTestOutcome Run()
    {
        IModelBackend backend;
        try
        {
            var source = ModelSource.Read(Name, Path.Combine(Directory, "model.onnx"));
            backend = new ManagedBackendFactory().Create(source);
        }
        catch (Exception e) when (e is InvalidDataException or BackendUnavailableException)
        {
            return new NodeTestOutcome(NodeTestVerdict.Refused, e.Message);
        }
        using (backend)
        {
            var dataSets = System.IO.Directory.GetDirectories(Directory, "test_data_set_*").Order(StringComparer.Ordinal).ToArray();
            foreach (var dataSet in dataSets)
            {
                TensorView[] inputs, expected;
                try
                {
                    inputs = ReadAll(dataSet, "input");
                    expected = ReadAll(dataSet, "output");
                }
                catch (InvalidDataException e)
                {
                    return new NodeTestOutcome(NodeTestVerdict.Refused, e.Message);
                }
                if (Check(backend, inputs, expected) is { } failure)
                    return new NodeTestOutcome(NodeTestVerdict.Failed, $"{Path.GetFileName(dataSet)}: {failure}");
            }
            return NodeTestOutcome.Passed(dataSets.Length);
        }
    }

    /// <summary>Runs one data set; returns null when every output matches, else what differs.</summary>
    private static string? Check(IModelBackend backend, TensorView[] inputs, TensorView[] expected)
    {
        var signature = backend.Signature;
        if (signature.Validate(inputs) is { } invalid) return $"the inputs do not fit the model's signature: {invalid}";
        if (expected.Length != signature.Outputs.Count)
            return $"the data set has {expected.Length} outputs, the model {signature.Outputs.Count}";
        RentedOutputs outputs;
        try
        {
            outputs = backend.RunRented(inputs, CancellationToken.None);
        }
        catch (Exception e)
        {
            return $"the run threw {e.GetType().Name}: {e.Message}";
        }
        using (outputs)
        {
            for (var o = 0; o < expected.Length; o++)
                if (Compare(outputs[o], expected[o]) is { } difference)
                    return $"output {o} ('{signature.Outputs[o].Name}') {difference}";
        }
        return null;
    }

    /// <summary>Null when <paramref name="actual"/> matches <paramref name="expected"/>, else how it differs.</summary>
    internal static string? Compare(TensorView actual, TensorView expected)
    {
        if (actual.ElementType != expected.ElementType)
            return $"is {actual.ElementType}, expected {expected.ElementType}";
        if (!actual.Shape.AsSpan().SequenceEqual(expected.Shape))
            return $"has shape {Tensor.ShapeText(actual.Shape)}, expected {Tensor.ShapeText(expected.Shape)}";
        return actual.ElementType switch
        {
            TensorElementType.Float32 => FirstDifference<float>(actual, expected, Close),
            TensorElementType.Int64 => FirstDifference<long>(actual, expected, (a, b) => a == b),
            TensorElementType.Bool => FirstDifference<bool>(actual, expected, (a, b) => a == b),
            _ => $"has element type {actual.ElementType}, which the harness does not compare",
        };
    }

    /// <summary>Within tolerance; Equals makes NaN match NaN and an infinity itself.</summary>
    private static bool Close(float actual, float expected) =>
        actual.Equals(expected) || Math.Abs((double)actual - expected) <= AbsoluteTolerance + RelativeTolerance * Math.Abs((double)expected);

    /// <summary>The first element that differs, and how many do.</summary>
    private static string? FirstDifference<T>(TensorView actual, TensorView expected, Func<T, T, bool> matches) where T : unmanaged
    {
        var a = actual.As<T>().Span;
        var b = expected.As<T>().Span;
        var first = -1;
        var count = 0;
        for (var i = 0; i < b.Length; i++)
        {
            if (matches(a[i], b[i])) continue;
            if (first < 0) first = i;
            count++;
        }
        if (first < 0) return null;
        return $"differs at {count} of {b.Length} elements; first at {Tensor.ShapeText(Index(first, expected.Shape))}: expected {Text(b[first])}, got {Text(a[first])}";
    }

    private static string Text<T>(T value) where T : unmanaged =>
        value is float f ? f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : $"{value}";

    private static int[] Index(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = flat % shape[axis];
            flat /= shape[axis];
        }
        return index;
    }

    /// <summary><c>input_0.pb</c>, <c>input_1.pb</c>, … (or output_*) in index order.</summary>
    private static TensorView[] ReadAll(string dataSet, string kind)
    {
        var files = new List<string>();
        for (var i = 0; File.Exists(Path.Combine(dataSet, $"{kind}_{i}.pb")); i++) files.Add(Path.Combine(dataSet, $"{kind}_{i}.pb"));
        return files.Select(NodeTestTensors.Read).ToArray();
    }

    public override string ToString() => Name;
}
