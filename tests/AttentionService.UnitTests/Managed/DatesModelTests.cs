using System.Text.Json.Nodes;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Tests.DestinationRuns;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

/// <summary>
/// The trained models/dates encoder and decoder graphs, decoded greedily on both backends, against torch's own greedy
/// decode (tests/fixtures/dates/reference.json, written by scripts/train-dates.py).
/// </summary>
public class DatesModelTests
{
    /// <summary>Absolute, on weights and context: float32 sums over a few hundred terms in another order than torch's.</summary>
    private const double Tolerance = 1e-5;

    public static TheoryData<BackendKind> Backends() => [BackendKind.Managed, BackendKind.Onnx];

    [Theory]
    [MemberData(nameof(Backends))]
    public void GreedyDecodeMatchesTorch(BackendKind kind)
    {
        using var model = DatesModel.Load(kind);
        foreach (var expected in DatesModel.Reference())
        {
            var actual = model.Decode([expected.Source])[0];
            var label = $"{kind} '{expected.Source}'";
            Assert.Equal(expected.SourceTokens, model.SourceTokens(expected.Source));
            Assert.Equal(expected.OutputTokens, actual.OutputTokens);
            Assert.Equal(expected.Output, actual.Output);
            Assert.Equal(expected.Stop, actual.Stop);
            Numerics.AssertClose(expected.Weights, actual.Weights, Tolerance, $"{label} weights");
            Numerics.AssertClose(expected.Context, actual.Context, Tolerance, $"{label} context");
        }
    }

    /// <summary>Sources of different lengths in one batch: padding with the mask changes nothing in any item.</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void PaddedBatchDecodesAsEachSourceAlone(BackendKind kind)
    {
        using var model = DatesModel.Load(kind);
        string[] sources = ["24 November 2026", "5.3.1951", "Wednesday 1st January 2031", "Nov 24, '26", "2049/12/31"];
        var batch = model.Decode(sources);
        for (var i = 0; i < sources.Length; i++)
        {
            var alone = model.Decode([sources[i]])[0];
            Assert.Equal(alone.OutputTokens, batch[i].OutputTokens);
            Assert.Equal(alone.Stop, batch[i].Stop);
            Numerics.AssertClose(alone.Weights, batch[i].Weights, Tolerance, $"{kind} '{sources[i]}' weights");
            Numerics.AssertClose(alone.Context, batch[i].Context, Tolerance, $"{kind} '{sources[i]}' context");
        }
    }

    /// <summary>The alignment a person checks by eye: writing year digit k, the model looks hardest at the source's year digit k.</summary>
    [Theory]
    [InlineData("24 November 2026", "2026-11-24")]
    [InlineData("tuesday 24 nov 2026", "2026-11-24")]
    [InlineData("11/24/2026", "2026-11-24")]
    [InlineData("24th of November, 2026", "2026-11-24")]
    [InlineData("2026/11/24", "2026-11-24")]
    [InlineData("Sat, Jul 4, 1987", "1987-07-04")]
    [InlineData("31.12.1950", "1950-12-31")]
    [InlineData("March 3rd, 2003", "2003-03-03")]
    public void YearDigitsLookAtTheSourceYearDigits(string source, string iso)
    {
        using var model = DatesModel.Load(BackendKind.Managed);
        var result = model.Decode([source])[0];
        Assert.Equal(iso, result.Output);
        var year = source.LastIndexOf(iso[..4], StringComparison.Ordinal);
        for (var k = 0; k < 4; k++)
        {
            var row = result.Weights[k];
            var brightest = Array.IndexOf(row, row.Max());
            Assert.True(brightest == year + k,
                $"'{source}': output step {k} ('{iso[k]}') looks hardest at source {brightest} ('{source[brightest]}'), not {year + k}");
        }
    }

    /// <summary>The seq2seq.json the service reads names these graphs' inputs and outputs and the vocabulary's specials.</summary>
    [Fact]
    public void ConfigNamesTheGraphsInputsAndOutputs()
    {
        var config = DatesModel.Config();
        foreach (var part in new[] { "encoder", "decoder" })
        {
            var signature = ModelSource.Read(part, Path.Combine(DatesModel.Folder, (string)config[part]!["file"]!)).Signature;
            Assert.Equal(signature.Inputs.Select(i => i.Name).Order(), config[part]!["inputs"]!.AsObject().Select(p => (string)p.Value!).Order());
            Assert.Equal(signature.Outputs.Select(o => o.Name).Order(), config[part]!["outputs"]!.AsObject().Select(p => (string)p.Value!).Order());
        }
        var vocabulary = config["vocabulary"]!;
        Assert.Equal("<pad>", (string)vocabulary["source"]![0]!);
        Assert.Equal(["<pad>", "<s>", "</s>"], vocabulary["target"]!.AsArray().Take(3).Select(t => (string)t!));
    }
}

/// <summary>One source's greedy decode: output tokens (the end token included), and per step the weights over the source and the context.</summary>
public sealed record DatesDecode(string[] OutputTokens, string Output, string Stop, float[][] Weights, float[][] Context);

/// <summary>One case of reference.json: torch's greedy decode of <see cref="Source"/>.</summary>
public sealed record DatesReference(string Source, string[] SourceTokens, string[] OutputTokens, string Output, string Stop,
    double[][] Weights, double[][] Context);

/// <summary>models/dates on one backend: the encoder once, then the decoder step by step, as the contract's greedy decode.</summary>
public sealed class DatesModel : IDisposable
{
    private readonly IModelBackend _encoder;
    private readonly IModelBackend _decoder;
    private readonly Dictionary<string, long> _sourceIds;
    private readonly string[] _target;
    private readonly long _unknown, _start, _end;
    private readonly int _maxSteps;
    private readonly JsonObject _config;

    private DatesModel(BackendKind kind, JsonObject config)
    {
        _config = config;
        var vocabulary = config["vocabulary"]!;
        var source = vocabulary["source"]!.AsArray().Select(t => (string)t!).ToArray();
        _sourceIds = source.Select((token, id) => (token, id)).ToDictionary(p => p.token, p => (long)p.id);
        _target = vocabulary["target"]!.AsArray().Select(t => (string)t!).ToArray();
        _unknown = _sourceIds[(string)vocabulary["unknown"]!];
        _start = Array.IndexOf(_target, (string)vocabulary["start"]!);
        _end = Array.IndexOf(_target, (string)vocabulary["end"]!);
        _maxSteps = (int)config["maxSteps"]!;
        _encoder = DestinationBackends.Create(kind, ModelSource.Read("dates-encoder", Path.Combine(Folder, (string)config["encoder"]!["file"]!)));
        _decoder = DestinationBackends.Create(kind, ModelSource.Read("dates-decoder", Path.Combine(Folder, (string)config["decoder"]!["file"]!)));
    }

    public static string Folder => Path.Combine(RepoPaths.Models, "dates");

    public static JsonObject Config() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "seq2seq.json")))!.AsObject();

    public static DatesModel Load(BackendKind kind) => new(kind, Config());

    public static DatesReference[] Reference() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "dates", "reference.json")))!["cases"]!.AsArray()
            .Select(c => new DatesReference((string)c!["source"]!, Strings(c["sourceTokens"]!), Strings(c["outputTokens"]!),
                (string)c["output"]!, (string)c["stop"]!, Rows(c["weights"]!), Rows(c["context"]!)))
            .ToArray();

    public string[] SourceTokens(string source) => source.ToLowerInvariant().Select(c => c.ToString()).ToArray();

    /// <summary>Decodes the sources as one batch, padded to the longest with the mask false on the padding.</summary>
    public DatesDecode[] Decode(string[] sources)
    {
        int batch = sources.Length, length = sources.Max(s => s.Length);
        var tokens = new long[batch * length];
        var mask = new bool[batch * length];
        for (var b = 0; b < batch; b++)
        {
            var source = SourceTokens(sources[b]);
            for (var i = 0; i < source.Length; i++)
            {
                tokens[b * length + i] = _sourceIds.GetValueOrDefault(source[i], _unknown);
                mask[b * length + i] = true;
            }
        }

        float[] values, state;
        int[] valuesShape;
        using (var encoded = Run(_encoder, "encoder", new() { ["tokens"] = Tensor.Wrap(tokens, batch, length) }))
        {
            var v = encoded["values"];
            (values, valuesShape) = (v.Span.ToArray(), v.Shape);
            state = encoded["state"].Span.ToArray();
        }

        var token = Enumerable.Repeat(_start, batch).ToArray();
        var outputs = Enumerable.Range(0, batch).Select(_ => new List<long>()).ToArray();
        var weights = Enumerable.Range(0, batch).Select(_ => new List<float[]>()).ToArray();
        var context = Enumerable.Range(0, batch).Select(_ => new List<float[]>()).ToArray();
        var done = new bool[batch];
        for (var step = 0; step < _maxSteps && !done.All(d => d); step++)
        {
            using var decoded = Run(_decoder, "decoder", new()
            {
                ["token"] = Tensor.Wrap(token.ToArray(), batch),
                ["query"] = Tensor.Wrap(state, batch, state.Length / batch),
                ["values"] = Tensor.Wrap(values, valuesShape),
                ["mask"] = Tensor.Wrap(mask, batch, length),
            });
            var logits = decoded["logits"];
            var vocabulary = logits.Shape[1];
            var w = decoded["weights"].Span;
            var c = decoded["context"].Span;
            var dv = c.Length / batch;
            for (var b = 0; b < batch; b++)
            {
                var row = logits.Span.Slice(b * vocabulary, vocabulary);
                token[b] = ArgMax(row);
                if (done[b]) continue;
                outputs[b].Add(token[b]);
                weights[b].Add(w.Slice(b * length, sources[b].Length).ToArray());
                context[b].Add(c.Slice(b * dv, dv).ToArray());
                done[b] = token[b] == _end;
            }
            state = decoded["state"].Span.ToArray();
        }

        return Enumerable.Range(0, batch).Select(b =>
        {
            var text = outputs[b].Select(t => _target[t]).ToArray();
            return new DatesDecode(text, string.Concat(outputs[b].Where(t => t != _end).Select(t => _target[t])),
                done[b] ? "end" : "maxSteps", weights[b].ToArray(), context[b].ToArray());
        }).ToArray();
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _decoder.Dispose();
    }

    private static long ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
            if (row[i] > row[best]) best = i;
        return best;
    }

    /// <summary>Runs one graph with inputs given by role; the config maps roles to the graph's names.</summary>
    private NamedOutputs Run(IModelBackend backend, string part, Dictionary<string, TensorView> byRole)
    {
        var inputNames = _config[part]!["inputs"]!.AsObject();
        var inputs = backend.Signature.Inputs
            .Select(spec => byRole[inputNames.Single(p => (string)p.Value! == spec.Name).Key])
            .ToArray();
        var outputs = backend.RunRented(inputs, CancellationToken.None);
        var outputNames = _config[part]!["outputs"]!.AsObject();
        var index = outputNames.ToDictionary(p => p.Key, p => backend.Signature.Outputs.Select(o => o.Name).ToList().IndexOf((string)p.Value!));
        return new NamedOutputs(outputs, index);
    }

    private sealed class NamedOutputs(RentedOutputs outputs, Dictionary<string, int> index) : IDisposable
    {
        public TensorView<float> this[string role] => outputs.Float(index[role]);

        public void Dispose() => outputs.Dispose();
    }

    private static string[] Strings(JsonNode node) => node.AsArray().Select(t => (string)t!).ToArray();

    private static double[][] Rows(JsonNode node) =>
        node.AsArray().Select(row => row!.AsArray().Select(x => (double)x!).ToArray()).ToArray();
}
