using AttentionService.Contracts;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;

namespace AttentionService.Tests.Reliability;

/// <summary>
/// CsCheck generators for fuzzing /attend: a valid request for a random model and shape (batched or not, with or
/// without keys, mask, causal, backend), then edits to its JSON tree (random masks, names, missing or renamed
/// properties, rescaled numbers) and to its bytes (deletions, duplications, truncation, inserted bytes, swapped
/// tokens, numbers turned into strings, huge values or NaN literals, broken nesting), and a random content type.
/// </summary>
public static partial class FuzzRequests
{
    private static readonly string[] Models = ["luong-dot", "scaled-dot", "luong-general", "bahdanau", "multihead"];

    private static readonly string[] ModelNames =
    [
        "luong-dot", "multihead", "nope", "", " ", "../../etc/passwd", "..\\..\\boot.ini", "/etc/passwd", "luong-dot.onnx",
        "LUONG-DOT", "luong-dot\u0000", "mödel", "\ud800", "\udfff\ud800", "%2e%2e%2f", "con", new string('a', 5000), "\u202emodel",
    ];

    private static readonly string[] BackendNames = ["onnx", "managed", "ONNX", "auto", "", "tpu", "cuda", "\ud800", "managed\n"];

    private static readonly string[] PropertyNames =
        ["query", "values", "keys", "mask", "causal", "model", "backend", "Query", "VALUES", "quer", "", "\ud800", "__proto__"];

    private static readonly string[] NumberReplacements =
    [
        "\"1\"", "\"NaN\"", "1e400", "-1e400", "1e39", "NaN", "Infinity", "-Infinity", "1e30", "-1e30", "3.4028235e38",
        "-3.4028235e38", "1e18", "1e-45", "1e-400", "-0", "0x10", "99999999999999999999999999999", "null", "true", "\"\"", "[]",
        "{}", "1.", ".5", "+1", "01", "1e", "--1", "[1]", "[[1]]",
    ];

    private static readonly string[] BracketReplacements = ["", "[", "]", "[[", "]]", "{", "}", "[]", "{}", ",", "\"", "null"];

    private static readonly string[] InsertAlphabet =
        ["[", "]", "{", "}", ",", ":", "\"", "\\", "-", ".", "e", "0", "9", " ", "\n", "null", "true", "\\u0000", "\\ud800"];

    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/problem+json",
        "application/json; charset=utf-8", "application/json; charset=utf-16", "application/vnd.api+json", "application/jsonx", "json",
        ";;", "*/*",
    ];

    /// <summary>A valid request, 0–2 edits of its JSON tree, 0–3 edits of its bytes, and mostly application/json.</summary>
    public static Gen<FuzzCase> Cases { get; } =
        Gen.Select(ValidRequest(), TreeEdit().Array[0, 2], ByteEdit().Array[0, 3], ContentType(), (request, treeEdits, byteEdits, contentType) =>
        {
            var steps = new List<string> { request.Origin };
            foreach (var edit in treeEdits)
            {
                edit.Apply(request.Body);
                steps.Add(edit.Name);
            }
            var bytes = Latin1(Encoding.UTF8.GetBytes(request.Body.ToJsonString()));
            foreach (var edit in byteEdits)
            {
                bytes = edit.Apply(bytes);
                steps.Add(edit.Name);
            }
            return new FuzzCase(Encoding.Latin1.GetBytes(bytes), contentType, steps);
        });

    /// <summary>A request that parses and fits its model; numbers in [-1, 1) from a seed the generator picks.</summary>
    private static Gen<(JsonObject Body, string Origin)> ValidRequest() =>
        Gen.Select(Gen.Int[0, Models.Length - 1], Gen.Bool, Gen.Int[1, 3], Gen.Int[1, 4], Gen.Int[1, 6], Gen.Int[1, 8], Gen.Int[0, 63], Gen.Int,
            (modelIndex, batched, batch, tq, tv, smallD, options, numbers) =>
            {
                var model = Models[modelIndex];
                var d = model == "luong-dot" ? smallD : 64;
                var rng = new Random(numbers);
                batch = batched ? batch : 1;
                var body = new JsonObject
                {
                    ["model"] = model,
                    ["query"] = Tensor(rng, batched, batch, tq, d),
                    ["values"] = Tensor(rng, batched, batch, tv, d),
                };
                if ((options & 1) != 0) body["keys"] = Tensor(rng, batched, batch, tv, d);
                if ((options & 6) == 2) body["mask"] = Mask(rng, batched, batch, null, tv);
                if ((options & 6) == 4) body["mask"] = Mask(rng, batched, batch, tq, tv);
                if ((options & 8) != 0) body["causal"] = true;
                if ((options & 48) == 16) body["backend"] = "onnx";
                if ((options & 48) == 32) body["backend"] = "managed";
                var shape = batched ? $"[{batch}][{tq}][{d}]" : $"[{tq}][{d}]";
                return (body, $"valid {model} query {shape}, tv {tv}, options {options}");
            });

    private sealed record TreeEditStep(string Name, Action<JsonObject> Apply);

    private sealed record ByteEditStep(string Name, Func<string, string> Apply);

    /// <summary>Edits of the request object: each keeps the body valid JSON but may break the request.</summary>
    private static Gen<TreeEditStep> TreeEdit() => Gen.Frequency(
        (3, Gen.Select(Gen.Int[0, 4], Gen.Int[0, 4].Array[4], Gen.Int[0, 5], Gen.Int, (rank, dims, kind, seed) =>
            new TreeEditStep($"mask rank {rank} dims [{string.Join(",", dims[..rank])}] kind {kind}",
                body => body["mask"] = RandomArray(new Random(seed), dims[..rank], kind)))),
        (3, Gen.Select(Gen.OneOf<string>("query", "keys", "values"), Gen.Int[1, 4], Gen.Int[1, 5].Array[4], Gen.Int, (name, rank, dims, seed) =>
            new TreeEditStep($"{name} random [{string.Join("][", dims[..rank])}]", body => body[name] = RandomArray(new Random(seed), dims[..rank], 5)))),
        (1, Gen.Select(Gen.OneOf<string>("query", "keys", "values"), Gen.Int[0, 2], (name, axis) =>
            new TreeEditStep($"{name} one past the limit on axis {axis}", body => body[name] = OverLimit(axis)))),
        (2, Gen.OneOf<string>(ModelNames).Select(name => new TreeEditStep($"model = \"{Escape(name)}\"", body => body["model"] = name))),
        (2, Gen.OneOf<string>(BackendNames).Select(name => new TreeEditStep($"backend = \"{Escape(name)}\"", body => body["backend"] = name))),
        (2, Gen.OneOf<string>(PropertyNames).Select(name => new TreeEditStep($"remove {Escape(name)}", body => body.Remove(name)))),
        (2, Gen.Select(Gen.OneOf<string>(PropertyNames), Gen.OneOf<string>(PropertyNames), (from, to) =>
            new TreeEditStep($"rename {Escape(from)} to {Escape(to)}", body => Rename(body, from, to)))),
        (1, Gen.OneOf<string>(PropertyNames).Select(name => new TreeEditStep($"wrap {Escape(name)} in an array", body =>
        {
            if (body[name] is { } value) body[name] = new JsonArray(value.DeepClone());
        }))),
        (1, Gen.OneOf<string>(PropertyNames).Select(name => new TreeEditStep($"unwrap {Escape(name)}", body =>
        {
            if (body[name] is JsonArray { Count: > 0 } array) body[name] = array[0]!.DeepClone();
        }))),
        (2, Gen.Select(Gen.OneOf<string>("query", "keys", "values"), Gen.OneOf(1e18, 1e20, 1e30, 3e38, -1e30, 1e-40), (name, factor) =>
            new TreeEditStep($"scale {name} by {factor:R}", body =>
            {
                if (body[name] is { } tensor) body[name] = Scale(tensor, factor);
            }))),
        (1, Gen.OneOf<JsonNode?>(JsonValue.Create(false), JsonValue.Create(1), JsonValue.Create("yes"), null, new JsonArray())
            .Select(value => new TreeEditStep($"causal = {value?.ToJsonString() ?? "null"}", body => body["causal"] = value?.DeepClone()))));

    /// <summary>Edits of the body bytes (one char per byte), positions given as fractions of the length or token indices.</summary>
    private static Gen<ByteEditStep> ByteEdit() => Gen.Frequency(
        (3, Gen.Select(Gen.Double[0, 1], Gen.Int[1, 16], (at, count) =>
            new ByteEditStep($"delete {count} at {at:F3}", s => s.Remove(Position(s, at), Math.Min(count, s.Length - Position(s, at)))))),
        (2, Gen.Select(Gen.Double[0, 1], Gen.Int[1, 32], (at, count) => new ByteEditStep($"duplicate {count} at {at:F3}", s =>
        {
            var start = Position(s, at);
            return s.Insert(start, s.Substring(start, Math.Min(count, s.Length - start)));
        }))),
        (1, Gen.Double[0, 1].Select(at => new ByteEditStep($"truncate at {at:F3}", s => s[..Position(s, at)]))),
        (2, Gen.Select(Gen.Double[0, 1], Gen.OneOf<string>(InsertAlphabet).Array[1, 4], (at, pieces) =>
            new ByteEditStep($"insert \"{Escape(string.Concat(pieces))}\" at {at:F3}", s => s.Insert(Position(s, at), string.Concat(pieces))))),
        (2, Gen.Select(Gen.Double[0, 1], Gen.Byte.Array[1, 4], (at, raw) =>
            new ByteEditStep($"insert bytes {Convert.ToHexString(raw)} at {at:F3}", s => s.Insert(Position(s, at), Encoding.Latin1.GetString(raw))))),
        (2, Gen.Select(Gen.Int[0, 10_000], Gen.Int[0, 10_000], (a, b) => new ByteEditStep($"swap tokens {a} and {b}", s => SwapTokens(s, a, b)))),
        (4, Gen.Select(Gen.Int[0, 10_000], Gen.OneOf<string>(NumberReplacements), (index, replacement) =>
            new ByteEditStep($"number {index} = {replacement}", s => ReplaceMatch(NumberToken(), s, index, replacement)))),
        (2, Gen.Select(Gen.Int[0, 10_000], Gen.OneOf<string>(BracketReplacements), (index, replacement) =>
            new ByteEditStep($"bracket {index} = {replacement}", s => ReplaceMatch(BracketToken(), s, index, replacement)))),
        (1, Gen.Select(Gen.Int[1, 40], Gen.Double[0, 1], (depth, at) => new ByteEditStep($"nest {depth} deeper at {at:F3}", s =>
            s.Insert(Position(s, at), new string('[', depth) + "1" + new string(']', depth))))));

    private static Gen<string?> ContentType() => Gen.Frequency(
        (16, Gen.Const<string?>("application/json")),
        (1, Gen.OneOf<string?>([.. ContentTypes, null])));

    private static JsonArray Tensor(Random rng, bool batched, int batch, int rows, int cols)
    {
        JsonArray Matrix() => new([.. Enumerable.Range(0, rows).Select(_ =>
            (JsonNode)new JsonArray([.. Enumerable.Range(0, cols).Select(_ => (JsonNode)JsonValue.Create(MathF.Round((float)(rng.NextDouble() * 2 - 1), 4)))]))]);
        return batched ? new JsonArray([.. Enumerable.Range(0, batch).Select(_ => (JsonNode)Matrix())]) : Matrix();
    }

    /// <summary>A valid mask: padding [tv] (tq null) or full [tq][tv], batched or not; position 0 always true, so causal stays servable.</summary>
    private static JsonArray Mask(Random rng, bool batched, int batch, int? tq, int tv)
    {
        JsonArray Row() => new([.. Enumerable.Range(0, tv).Select(j => (JsonNode)JsonValue.Create(j == 0 || rng.Next(2) == 0))]);
        JsonArray Item() => tq is { } rows ? new JsonArray([.. Enumerable.Range(0, rows).Select(_ => (JsonNode)Row())]) : Row();
        return batched ? new JsonArray([.. Enumerable.Range(0, batch).Select(_ => (JsonNode)Item())]) : Item();
    }

    /// <summary>A nested array of the given dims; leaves by kind: 0 booleans, 1 zeros and ones, 2 strings, 3 nulls, 4 a mix, 5 floats.</summary>
    private static JsonNode? RandomArray(Random rng, int[] dims, int kind)
    {
        if (dims.Length == 0)
        {
            return (kind == 4 ? rng.Next(4) : kind) switch
            {
                0 => JsonValue.Create(rng.Next(2) == 0),
                1 => JsonValue.Create(rng.Next(2)),
                2 => JsonValue.Create("true"),
                5 => JsonValue.Create(MathF.Round((float)(rng.NextDouble() * 2 - 1), 4)),
                _ => null,
            };
        }
        return new JsonArray([.. Enumerable.Range(0, dims[0]).Select(_ => RandomArray(rng, dims[1..], kind))]);
    }

    /// <summary>A [batch][t][d] tensor of zeros with one axis one past its default limit (batch 65, t or d 4097).</summary>
    private static JsonArray OverLimit(int axis)
    {
        var limits = new Contracts.RequestLimits();
        int[] dims = [1, 1, 1];
        dims[axis] = axis switch { 0 => limits.MaxBatch, 1 => limits.MaxSequenceLength, _ => limits.MaxFeatures } + 1;
        return (JsonArray)RandomArray(new Random(0), dims, 1)!;
    }

    private static void Rename(JsonObject body, string from, string to)
    {
        if (from == to || body[from] is not { } value) return;
        body.Remove(from);
        body[to] = value.DeepClone();
    }

    private static JsonNode Scale(JsonNode node, double factor) => node switch
    {
        JsonArray array => new JsonArray([.. array.Select(item => item is null ? null : Scale(item, factor))]),
        // In double: a second scaling may leave float32, which the service must refuse rather than the JSON writer.
        JsonValue value when value.TryGetValue<float>(out var x) => JsonValue.Create(x * factor),
        JsonValue value when value.TryGetValue<double>(out var x) => JsonValue.Create(x * factor),
        _ => node.DeepClone(),
    };

    private static int Position(string s, double at) => Math.Min(s.Length, (int)(at * (s.Length + 1)));

    private static string SwapTokens(string s, int a, int b)
    {
        var tokens = AnyToken().Matches(s);
        if (tokens.Count < 2) return s;
        Match first = tokens[a % tokens.Count], second = tokens[b % tokens.Count];
        if (first.Index == second.Index) return s;
        if (first.Index > second.Index) (first, second) = (second, first);
        var between = s[(first.Index + first.Length)..second.Index];
        return s[..first.Index] + second.Value + between + first.Value + s[(second.Index + second.Length)..];
    }

    private static string ReplaceMatch(Regex pattern, string s, int index, string replacement)
    {
        var matches = pattern.Matches(s);
        if (matches.Count == 0) return s;
        var match = matches[index % matches.Count];
        return string.Concat(s.AsSpan(0, match.Index), replacement, s.AsSpan(match.Index + match.Length));
    }

    /// <summary>UTF-8 bytes as a string of one char per byte, so byte edits are string edits.</summary>
    private static string Latin1(byte[] utf8) => Encoding.Latin1.GetString(utf8);

    private static string Escape(string text) =>
        string.Concat(text.Take(40).Select(c => c is >= ' ' and < '\u007f' ? c.ToString() : $"\\u{(int)c:x4}")) + (text.Length > 40 ? "..." : "");

    [GeneratedRegex("""-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?""")]
    private static partial Regex NumberToken();

    [GeneratedRegex("""[\[\]{}]""")]
    private static partial Regex BracketToken();

    [GeneratedRegex("""
        "(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null|[\[\]{},:]
        """)]
    private static partial Regex AnyToken();
}
