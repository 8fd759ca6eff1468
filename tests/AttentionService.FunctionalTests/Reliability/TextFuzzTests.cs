using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;
using CsCheck;
using Xunit.Abstractions;

namespace AttentionService.Tests.Reliability;

/// <summary>
/// Text requests fuzzed as FuzzTests fuzzes tensor ones: a valid text request to <c>dates</c> (one source or a batch,
/// any characters, within the length limit or past it), then edits of its JSON tree (source and sources swapped,
/// wrapped, emptied, turned into numbers; tensor fields added; other models and backends) and of its bytes. No answer is
/// a 5xx or carries an exception, every error is problem+json, every 200 is a whole decoding.
/// </summary>
public sealed class TextFuzzTests(ITestOutputHelper output)
{
    private const ulong Seed = 0x7E47_5EED;
    private const int Cases = 1_500;

    private static readonly string[] Alphabet =
        ["1", "2", "9", "0", " ", "/", "-", ",", "'", ".", "a", "N", "ov", "Tuesday", "é", "☃", "😀", "\u0000", "\n", "\"", "\\", "\ud800", "\u202e"];

    [Fact]
    public async Task MutatedTextRequestsNeverGet5xx()
    {
        using var factory = new AttentionServiceFactory();
        var client = factory.CreateClient();
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentBag<(int Case, string Report)>();

        await Parallel.ForAsync(0, Cases, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (i, cancellationToken) =>
        {
            var (body, steps) = Generator.Generate(new PCG((uint)i, Seed), null, out _);
            using var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var response = await client.PostAsync("/attend", content);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
            if (Check(status, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync()) is { } problem)
                failures.Add((i, $"case {i}: {problem}\nsteps: {steps}\nbody: {Encoding.UTF8.GetString(body)[..Math.Min(body.Length, 400)]}"));
        });

        output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key} × {p.Value}")));
        Assert.True(failures.IsEmpty, $"{failures.Count} of {Cases} cases failed:\n\n" + string.Join("\n\n", failures.OrderBy(f => f.Case).Take(8).Select(f => f.Report)));
        Assert.True(statuses.GetValueOrDefault(200) > Cases / 10, "too few cases were valid to exercise decoding");
        var answer = await (await client.PostAttendAsync(new { model = "dates", source = "24 November 2026" })).ReadObjectAsync();
        Assert.Equal("2026-11-24", (string?)answer["output"]);
    }

    private static string? Check(int status, string? mediaType, string text)
    {
        if (status >= 500) return $"status {status}: {text}";
        if (text.Contains("Exception") || text.Contains("   at ")) return $"exception text: {text}";
        if (JsonNode.Parse(text) is not JsonObject body) return $"not a JSON object: {text}";
        if (status != 200) return mediaType == "application/problem+json" ? null : $"status {status} as {mediaType}";
        if ((string?)body["model"] is null || (string?)body["backend"] is null) return $"200 without model or backend: {text}";
        var decodings = body["results"] is JsonArray results ? results.Select(r => r!.AsObject()).ToList() : [body];
        foreach (var decoding in decodings)
        {
            if (decoding["context"] is null || decoding["output"] is null) return $"200 without context or output: {text}";
            if (decoding["outputTokens"] is JsonArray tokens && decoding["weights"] is JsonArray weights && tokens.Count != weights.Count)
                return $"{tokens.Count} output tokens but {weights.Count} weight rows: {text}";
        }
        return null;
    }

    private static Gen<(byte[] Body, string Steps)> Generator { get; } =
        Gen.Select(ValidRequest(), TreeEdit().Array[0, 2], Gen.Select(Gen.Double[0, 1], Gen.Int[0, 3], Gen.OneOf<string>("", "\"", "[", "}", ",", "\\u")).Array[0, 2],
            (request, treeEdits, byteEdits) =>
            {
                var steps = new List<string> { request.Origin };
                foreach (var (name, apply) in treeEdits)
                {
                    apply(request.Body);
                    steps.Add(name);
                }
                var text = request.Body.ToJsonString();
                foreach (var (at, delete, insert) in byteEdits)
                {
                    var position = (int)(at * text.Length);
                    text = text.Remove(position, Math.Min(delete, text.Length - position)).Insert(position, insert);
                    steps.Add($"at {at:F3} delete {delete} insert \"{insert}\"");
                }
                return (Encoding.UTF8.GetBytes(text), string.Join("; ", steps));
            });

    private static Gen<(JsonObject Body, string Origin)> ValidRequest() =>
        Gen.Select(Gen.Bool, Gen.OneOf<string>(Alphabet).Array[1, 24].Array[1, 5], Gen.Int[0, 3], (batched, texts, backend) =>
        {
            var sources = texts.Select(pieces => string.Concat(pieces)).ToArray();
            var body = new JsonObject { ["model"] = "dates" };
            if (batched) body["sources"] = new JsonArray([.. sources.Select(s => (JsonNode)JsonValue.Create(s))]);
            else body["source"] = sources[0];
            if (backend == 1) body["backend"] = "onnx";
            if (backend == 2) body["backend"] = "managed";
            return (body, $"{(batched ? $"{sources.Length} sources" : "source")}, backend option {backend}");
        });

    private static Gen<(string Name, Action<JsonObject> Apply)> TreeEdit() => Gen.OneOf(
        Gen.Const<(string, Action<JsonObject>)>(("rename source to sources", body => Rename(body, "source", "sources"))),
        Gen.Const<(string, Action<JsonObject>)>(("rename sources to source", body => Rename(body, "sources", "source"))),
        Gen.Const<(string, Action<JsonObject>)>(("wrap source", body => { if (body["source"] is { } s) body["source"] = new JsonArray(s.DeepClone()); })),
        Gen.Const<(string, Action<JsonObject>)>(("empty sources", body => body["sources"] = new JsonArray())),
        Gen.Const<(string, Action<JsonObject>)>(("source = 5", body => body["source"] = 5)),
        Gen.Const<(string, Action<JsonObject>)>(("source = null", body => body["source"] = null)),
        Gen.Const<(string, Action<JsonObject>)>(("add query", body => body["query"] = new JsonArray(new JsonArray(1)))),
        Gen.Const<(string, Action<JsonObject>)>(("add inputs", body => body["inputs"] = new JsonObject { ["token"] = new JsonArray(1) })),
        Gen.Const<(string, Action<JsonObject>)>(("model luong-dot", body => body["model"] = "luong-dot")),
        Gen.Const<(string, Action<JsonObject>)>(("model nope", body => body["model"] = "nope")),
        Gen.Const<(string, Action<JsonObject>)>(("backend tpu", body => body["backend"] = "tpu")),
        Gen.Const<(string, Action<JsonObject>)>(("long source", body => body["source"] = new string('1', 65))),
        Gen.Const<(string, Action<JsonObject>)>(("65 sources", body => body["sources"] = new JsonArray([.. Enumerable.Repeat(0, 65).Select(_ => (JsonNode)JsonValue.Create("1/2/2003"))]))));

    private static void Rename(JsonObject body, string from, string to)
    {
        if (body[from] is not { } value) return;
        body.Remove(from);
        body[to] = value.DeepClone();
    }
}
