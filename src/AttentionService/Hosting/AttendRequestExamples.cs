using System.Text.Json.Nodes;
using AttentionService.Configuration;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Registry;

namespace AttentionService.Hosting;

/// <summary>
/// One <c>/attend</c> request per model that serves, made from the model itself, for the OpenAPI document's example
/// dropdown: a text model gets a date (<see cref="TextSource"/>, weights only, so the answer stays short); a layer model
/// gets its role tensors without the batch axis, each dynamic dimension given a small size by name, so that shared
/// dimensions agree (<c>tq</c> 2, <c>tv</c> 3, others 4). The query alternates ones and zeros and the values are rows of
/// the identity, which for the default model <c>luong-dot</c> is the README's request. Keys are sent only when they
/// differ in shape from the values; extra graph inputs get what the load-time warm-up sends (ones, zeros, true).
/// </summary>
public static class AttendRequestExamples
{
    /// <summary>The source of a text model's example, as the README decodes it.</summary>
    public const string TextSource = "24 November 2026";

    /// <summary>The parts a text example asks for: the weights, which show the alignment; the context is 128 numbers a step.</summary>
    public static readonly string[] TextInclude = [AttentionTensorNames.Weights];

    /// <summary>Each serving model's example by its name, the default model first, then the others by name.</summary>
    public static IEnumerable<(string Model, string Summary, JsonObject Request)> For(ModelRegistry registry, AttentionOptions options) =>
        registry.Models
            .Where(model => model.IsServable(options.Backend))
            .OrderBy(model => model.Name == options.DefaultModel ? 0 : 1)
            .Select(model => model.TakesText ? Text(model) : Tensors(model))
            .Where(example => example.Request is not null)
            .Select(example => (example.Model, example.Summary, example.Request!));

    private static (string Model, string Summary, JsonObject? Request) Text(RegisteredModel model) =>
        (model.Name, $"{model.Name}: text, a date decoded step by step (weights only)", new JsonObject
        {
            ["model"] = model.Name,
            ["source"] = TextSource,
            ["include"] = new JsonArray([.. TextInclude.Select(part => (JsonNode)part)]),
        });

    private static (string Model, string Summary, JsonObject? Request) Tensors(RegisteredModel model)
    {
        if (model.Binding is not { } binding || model.Signature is not { } signature) return (model.Name, "", null);
        var inputs = signature.Inputs;
        var request = new JsonObject { ["model"] = model.Name };
        var query = Shape(inputs[binding.Query], ["tq", "d"]);
        var values = Shape(inputs[binding.Values], ["tv", "dv"]);
        request["query"] = Alternating(query);
        var summary = $"{model.Name}: query {Text(query)}";
        if (binding.Keys >= 0 && Shape(inputs[binding.Keys], ["tv", "d"]) is var keys && !keys.SequenceEqual(values))
        {
            request["keys"] = Identity(keys);
            summary += $", keys {Text(keys)}";
        }
        request["values"] = Identity(values);
        summary += $", values {Text(values)}";
        var extras = new JsonObject();
        for (var input = 0; input < inputs.Count; input++)
            if (binding.IsExtraInput(input))
                extras[binding.InputName(input)] = Fill(inputs[input].Shape.Select(d => d >= 0 ? (int)d : 1).ToArray(), _ => 1, inputs[input].ElementType);
        if (extras.Count > 0) request["inputs"] = extras;
        return (model.Name, summary, request);
    }

    /// <summary>The shape to send for a role: the graph input's without a dynamic batch axis, dynamic sizes by dimension name.</summary>
    private static int[] Shape(TensorSpec spec, string[] axisNames)
    {
        var skip = spec.Rank > 1 && spec.Shape[0] < 0 ? 1 : 0;
        var shape = new int[spec.Rank - skip];
        for (var axis = 0; axis < shape.Length; axis++)
        {
            var size = spec.Shape[axis + skip];
            // An unnamed dimension takes its role's usual name: [tq][d] for query, [tv][dv] for values, the last for rank 1.
            var usual = axisNames.Length - shape.Length + axis;
            var name = spec.DimNames[axis + skip] ?? (usual >= 0 ? axisNames[usual] : "batch");
            shape[axis] = size >= 0 ? (int)size : name switch { "tq" => 2, "tv" => 3, _ => 4 };
        }
        return shape;
    }

    private static string Text(int[] shape) => string.Concat(shape.Select(size => $"[{size}]"));

    /// <summary>Ones and zeros alternating along each row, each row starting one further on.</summary>
    private static JsonArray Alternating(int[] shape)
    {
        var columns = shape[^1];
        return Fill(shape, flat => (flat / columns + flat % columns) % 2 == 0 ? 1 : 0, TensorElementType.Float32);
    }

    /// <summary>Rows of the identity in the last two axes (a one wherever the row index equals the column index).</summary>
    private static JsonArray Identity(int[] shape)
    {
        var columns = shape[^1];
        var rows = shape.Length > 1 ? shape[^2] : 1;
        return Fill(shape, flat => flat / columns % rows == flat % columns ? 1 : 0, TensorElementType.Float32);
    }

    /// <summary>Nested arrays of <paramref name="shape"/>, element i being <paramref name="value"/>(i) in the input's type.</summary>
    private static JsonArray Fill(int[] shape, Func<int, int> value, TensorElementType type)
    {
        var next = 0;
        return (JsonArray)Level(0);

        JsonNode Level(int axis)
        {
            if (axis == shape.Length)
            {
                var v = value(next++);
                return type switch
                {
                    TensorElementType.Int64 => JsonValue.Create(0L),
                    TensorElementType.Bool => JsonValue.Create(true),
                    _ => JsonValue.Create(v),
                };
            }
            return new JsonArray([.. Enumerable.Range(0, shape[axis]).Select(_ => Level(axis + 1))]);
        }
    }
}
