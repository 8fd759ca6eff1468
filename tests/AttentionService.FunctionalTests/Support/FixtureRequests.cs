using System.Text.Json.Nodes;

namespace AttentionService.Tests.Support;

/// <summary>/attend bodies made from a torch fixture's test data set, and its answers checked against torch's outputs.</summary>
public static class FixtureRequests
{
    /// <summary>Torch's eager outputs against ONNX Runtime's through the service.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>
    /// The body that feeds test data set <paramref name="set"/> to model <paramref name="model"/>: role tensors as
    /// their fields, the model's own mask turned into the request's booleans (true = may attend), other inputs under
    /// <c>inputs</c> by alias, and every output beyond context and weights asked for by alias.
    /// </summary>
    public static JsonObject Body(string fixture, int set, string model, string? backend = "onnx")
    {
        var body = new JsonObject { ["model"] = model };
        if (backend is not null) body["backend"] = backend;
        var roles = TorchFixtures.InputRoles(fixture);
        var tensors = TorchFixtures.Inputs(fixture, set);
        JsonObject? inputs = null;
        for (var i = 0; i < roles.Length; i++)
        {
            switch (roles[i])
            {
                case "query" or "keys" or "values": body[roles[i]] = tensors[i].ToJson(); break;
                case "mask": body["mask"] = tensors[i].ToRequestMask(TorchFixtures.MaskMeaning(fixture)!); break;
                default: (inputs ??= [])[roles[i]] = tensors[i].ToJson(); break;
            }
        }
        if (inputs is not null) body["inputs"] = inputs;
        var extras = TorchFixtures.OutputRoles(fixture).Where(r => r is not ("context" or "weights")).ToArray();
        if (extras.Length > 0) body["outputs"] = new JsonArray(extras.Select(e => (JsonNode)JsonValue.Create(e)).ToArray());
        return body;
    }

    /// <summary>Every output of the answer (context, weights, the named others) is torch's, in shape and within <see cref="Tolerance"/>.</summary>
    public static void AssertMatchesTorch(string fixture, int set, JsonObject answer)
    {
        var roles = TorchFixtures.OutputRoles(fixture);
        var expected = TorchFixtures.Outputs(fixture, set);
        for (var o = 0; o < roles.Length; o++)
        {
            var node = roles[o] is "context" or "weights" ? answer[roles[o]] : answer["outputs"]?[roles[o]];
            Assert.True(node is not null, $"{fixture} set {set}: the answer has no {roles[o]}: {answer.ToJsonString()[..Math.Min(300, answer.ToJsonString().Length)]}");
            AssertTensor(expected[o], node!, $"{fixture} set {set} {roles[o]}");
        }
    }

    /// <summary>A nested JSON array against a fixture tensor: same shape, numbers within <see cref="Tolerance"/>.</summary>
    public static void AssertTensor(FixtureTensor expected, JsonNode actual, string label)
    {
        var (shape, values) = Flatten(actual);
        Assert.True(expected.Shape.SequenceEqual(shape), $"{label}: shape [{string.Join(", ", shape)}], expected [{string.Join(", ", expected.Shape)}]");
        Numerics.AssertClose(expected.Values, values.Select(v => (float)v).ToArray(), Tolerance, label);
    }

    /// <summary>The shape and the numbers of a nested JSON array.</summary>
    public static (int[] Shape, double[] Values) Flatten(JsonNode node)
    {
        var shape = new List<int>();
        for (var level = node; level is JsonArray array; level = array.Count > 0 ? array[0] : null) shape.Add(array.Count);
        var values = new List<double>();
        Collect(node, values);
        return (shape.ToArray(), values.ToArray());
    }

    private static void Collect(JsonNode node, List<double> values)
    {
        if (node is JsonArray array)
            foreach (var item in array) Collect(item!, values);
        else
            values.Add(node.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.True => 1,
                System.Text.Json.JsonValueKind.False => 0,
                _ => node.GetValue<double>(),
            });
    }
}
