using System.Text.Json.Nodes;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.Tests.Support;

/// <summary>
/// The PyTorch exports in tests/fixtures/torch: each model's graph, its config where it has one, the role each graph
/// tensor plays (from manifest.json), and its test data sets (ONNX TensorProto files of torch's inputs and outputs).
/// </summary>
public static class TorchFixtures
{
    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "fixtures", "torch");

    public static string Model(string fixture) => Path.Combine(Folder, fixture, "model.onnx");

    /// <summary>The fixture's model.json, or null when it is bound by position.</summary>
    public static string? Config(string fixture) => Path.Combine(Folder, fixture, "model.json") is var path && File.Exists(path) ? path : null;

    /// <summary>The manifest's entry for <paramref name="fixture"/>.</summary>
    public static JsonObject Manifest(string fixture) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")))!["fixtures"]!.AsArray()
            .Single(f => (string?)f!["name"] == fixture)!.AsObject();

    /// <summary>Graph input roles in graph order: query, keys, values, mask, or an alias such as token.</summary>
    public static string[] InputRoles(string fixture) => Roles(fixture, "inputs");

    /// <summary>Graph output roles in graph order: context, weights, or an alias such as state.</summary>
    public static string[] OutputRoles(string fixture) => Roles(fixture, "outputs");

    /// <summary>What the model's mask means (attend, ignore, additive), or null when it takes none.</summary>
    public static string? MaskMeaning(string fixture) => (string?)Manifest(fixture)["mask"]?["meaning"];

    public static int TestDataSets(string fixture) => Directory.GetDirectories(Path.Combine(Folder, fixture), "test_data_set_*").Length;

    public static FixtureTensor[] Inputs(string fixture, int set) => Read(fixture, set, "input");

    public static FixtureTensor[] Outputs(string fixture, int set) => Read(fixture, set, "output");

    private static string[] Roles(string fixture, string section) =>
        Manifest(fixture)[section]!.AsArray().Select(t => (string)t!["role"]!).ToArray();

    private static FixtureTensor[] Read(string fixture, int set, string kind)
    {
        var folder = Path.Combine(Folder, fixture, $"test_data_set_{set}");
        var count = Directory.GetFiles(folder, $"{kind}_*.pb").Length;
        return Enumerable.Range(0, count)
            .Select(i => FixtureTensor.From(TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, $"{kind}_{i}.pb")))))
            .ToArray();
    }
}

/// <summary>One tensor of a test data set: its shape and its numbers (booleans as 1 and 0, INT64 as doubles).</summary>
public sealed record FixtureTensor(string Name, int[] Shape, TensorProto.Types.DataType Type, double[] Values)
{
    public static FixtureTensor From(TensorProto tensor)
    {
        var type = (TensorProto.Types.DataType)tensor.DataType;
        double[] values = type switch
        {
            TensorProto.Types.DataType.Float => InitializerData.ToFloats(tensor).Select(x => (double)x).ToArray(),
            TensorProto.Types.DataType.Int64 => InitializerData.ToInt64s(tensor).Select(x => (double)x).ToArray(),
            TensorProto.Types.DataType.Bool => InitializerData.ToBools(tensor).Select(x => x ? 1.0 : 0.0).ToArray(),
            _ => throw new InvalidDataException($"fixture tensor '{tensor.Name}' has type {type}"),
        };
        return new FixtureTensor(tensor.Name, InitializerData.Shape(tensor), type, values);
    }

    /// <summary>Nested JSON arrays of the values as the tensor's type writes them (numbers, integers, booleans).</summary>
    public JsonNode ToJson() => Nest(Values.Select(ToNode).ToArray(), Shape);

    /// <summary>The mask as a request sends it (true = may attend), from the model's own mask of <paramref name="meaning"/>.</summary>
    public JsonNode ToRequestMask(string meaning) => Nest(Values.Select(x => (JsonNode)JsonValue.Create(meaning switch
    {
        "ignore" => x == 0,
        "additive" => x == 0,
        _ => x != 0,
    })).ToArray(), Shape);

    /// <summary>Batch item <paramref name="b"/> (the leading axis dropped).</summary>
    public FixtureTensor Item(int b)
    {
        var size = Values.Length / Shape[0];
        return this with { Shape = Shape[1..], Values = Values[(b * size)..((b + 1) * size)] };
    }

    private JsonNode ToNode(double x) => Type switch
    {
        TensorProto.Types.DataType.Int64 => JsonValue.Create((long)x),
        TensorProto.Types.DataType.Bool => JsonValue.Create(x != 0),
        _ => JsonValue.Create((float)x),
    };

    private static JsonNode Nest(JsonNode[] flat, int[] shape)
    {
        if (shape.Length == 0) return flat[0];
        var size = flat.Length / shape[0];
        var array = new JsonArray();
        for (var i = 0; i < shape[0]; i++) array.Add(Nest(flat[(i * size)..((i + 1) * size)], shape[1..]));
        return array;
    }
}
