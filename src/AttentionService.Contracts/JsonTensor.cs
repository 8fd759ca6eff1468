using System.Text.Json;
using AttentionService.Contracts.Json;
using AttentionService.Core.Tensors;

namespace AttentionService.Contracts;

/// <summary>
/// A tensor of the request's <c>inputs</c> as sent: its JSON text, kept until the model is known, since only the
/// model's graph says whether its scalars are numbers (FP32), integers (INT64) or booleans (BOOL). An Open Inference
/// Protocol input arrives already typed by its datatype, and is held as that tensor (<see cref="Typed"/>).
/// </summary>
public sealed class JsonTensor
{
    private static readonly IDisposable NotOwned = new NoOwner();

    private readonly byte[] _json;
    private readonly TensorView? _typed;

    internal JsonTensor(string name, byte[] json)
    {
        Name = name;
        _json = json;
    }

    private JsonTensor(string name, TensorView typed)
    {
        Name = name;
        _json = [];
        _typed = typed;
    }

    /// <summary>A tensor already parsed with its element type, owned by the caller, which keeps it alive through the run.</summary>
    public static JsonTensor Typed(string name, TensorView tensor) => new(name, tensor);

    /// <summary>Bytes of JSON text kept until the tensor is parsed.</summary>
    public int JsonBytes => _json.Length;

    /// <summary>The key it was sent under: an alias from the model's config, or a graph input's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Parses the nested array into a tensor of <paramref name="elementType"/>: finite numbers for FP32, integers for
    /// INT64 (1.5 is an error), true/false for BOOL, within <see cref="RequestLimits.MaxElements"/>. The caller owns
    /// the tensor; an error names the place, e.g. <c>inputs.token[1] = 1.5 is not an integer</c>.
    /// </summary>
    public (IDisposable? Owner, TensorView View, InferenceError? Error) Read(TensorElementType elementType, RequestLimits limits)
    {
        if (_typed is { } typed)
            return typed.ElementType == elementType
                ? (NotOwned, typed, null)
                : (null, default, InferenceError.BadRequest($"input '{ClientText.Shorten(Name)}' is {typed.ElementType.ToWireName()}; the model takes {elementType.ToWireName()}"));
        try
        {
            return elementType switch
            {
                TensorElementType.Float32 => Owned(Read<float>(JsonScalar.Number, limits)),
                TensorElementType.Int64 => Owned(Read<long>(JsonScalar.Integer, limits)),
                TensorElementType.Bool => Owned(Read<bool>(JsonScalar.Boolean, limits)),
                _ => throw new ArgumentOutOfRangeException(nameof(elementType), elementType, null),
            };
        }
        catch (RequestFormatException e)
        {
            return (null, default, e.Error);
        }
    }

    private Tensor<T> Read<T>(JsonScalar scalars, RequestLimits limits) where T : unmanaged
    {
        // The text was checked as JSON, within the depth limit, when the request was read.
        var reader = new Utf8JsonReader(_json, new JsonReaderOptions { MaxDepth = limits.MaxJsonDepth });
        reader.Read();
        return TensorJsonReader.Read<T>(ref reader, $"inputs.{Name}", scalars, int.MaxValue, limits);
    }

    private static (IDisposable?, TensorView, InferenceError?) Owned<T>(Tensor<T> tensor) where T : unmanaged => (tensor, tensor, null);

    private sealed class NoOwner : IDisposable
    {
        public void Dispose() { }
    }
}
