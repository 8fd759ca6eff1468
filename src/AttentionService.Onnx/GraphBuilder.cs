using AttentionService.Onnx.Protos;

namespace AttentionService.Onnx;

/// <summary>
/// Builds an ONNX graph node by node. Everything it writes is fixed by its calls (no timestamps, no random names),
/// so the same calls always give the same bytes.
/// </summary>
public sealed class GraphBuilder(string name)
{
    private readonly GraphProto _graph = new() { Name = name };
    private int _nodeCount;

    /// <summary>A float32 graph input; each dimension is a dim_param name (string) or a fixed size (int).</summary>
    public string Input(string inputName, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(inputName, dims));
        return inputName;
    }

    /// <summary>A graph input of ONNX data type <paramref name="dataType"/>.</summary>
    public string Input(string inputName, TensorProto.Types.DataType dataType, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(inputName, dims, dataType));
        return inputName;
    }

    public void Output(string outputName, params object[] dims) => _graph.Output.Add(ValueInfo(outputName, dims));

    /// <summary>A graph output of ONNX data type <paramref name="dataType"/>.</summary>
    public void Output(string outputName, TensorProto.Types.DataType dataType, params object[] dims) =>
        _graph.Output.Add(ValueInfo(outputName, dims, dataType));

    public string Initializer(string initializerName, ReadOnlySpan<bool> data, params long[] dims)
    {
        _graph.Initializer.Add(InitializerData.FromBools(initializerName, data, dims));
        return initializerName;
    }

    public string Initializer(string initializerName, ReadOnlySpan<float> data, params long[] dims)
    {
        _graph.Initializer.Add(InitializerData.FromFloats(initializerName, data, dims));
        return initializerName;
    }

    public string Initializer(string initializerName, ReadOnlySpan<long> data, params long[] dims)
    {
        _graph.Initializer.Add(InitializerData.FromInt64s(initializerName, data, dims));
        return initializerName;
    }

    /// <summary>Adds a node and returns its (first) output name.</summary>
    public string Node(string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds a node with several outputs ("" for an optional output left out).</summary>
    public void Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    public static AttributeProto Attribute(string attributeName, string value) =>
        new() { Name = attributeName, Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attribute(string attributeName, TensorProto value) =>
        new() { Name = attributeName, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public static AttributeProto Attribute(string attributeName, params float[] values)
    {
        var attribute = new AttributeProto { Name = attributeName, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }

    public static AttributeProto Attribute(string attributeName, long value) =>
        new() { Name = attributeName, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attribute(string attributeName, float value) =>
        new() { Name = attributeName, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attribute(string attributeName, params long[] values)
    {
        var attribute = new AttributeProto { Name = attributeName, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>Wraps the graph in a model with the given opset and metadata_props (written in the order given).</summary>
    public ModelProto ToModel(long opset, string docString, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = OnnxVersions.IrVersion,
            ProducerName = "AttentionService.ModelBuilder",
            ProducerVersion = "1",
            DocString = docString,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static ValueInfoProto ValueInfo(string valueName, object[] dims, TensorProto.Types.DataType dataType = TensorProto.Types.DataType.Float)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string param => new TensorShapeProto.Types.Dimension { DimParam = param },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"dimension {dim} is neither a name nor a size"),
            });
        }
        return new ValueInfoProto
        {
            Name = valueName,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)dataType, Shape = shape } },
        };
    }
}
