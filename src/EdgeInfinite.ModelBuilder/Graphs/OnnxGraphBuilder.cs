using Google.Protobuf;
using Onnx;

namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>A thin helper over the ONNX protobuf types: nodes with generated names, constants and typed graph I/O.</summary>
internal sealed class OnnxGraphBuilder
{
    public const int Float = 1;
    public const int UInt8 = 2;
    public const int Int8 = 3;
    public const int Int32 = 6;
    public const int Int64 = 7;
    public const int Float16 = 10;

    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _initializers = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _metadata = [];
    private int _counter;

    public OnnxGraphBuilder(string name) => _graph.Name = name;

    public GraphProto Graph => _graph;

    public void Input(string name, int elemType, params object[] dims) => _graph.Input.Add(ValueInfo(name, elemType, dims));

    public void Output(string name, int elemType, params object[] dims) => _graph.Output.Add(ValueInfo(name, elemType, dims));

    /// <summary>Adds an initializer stored in the shared external-data file (once per name).</summary>
    public string ExternalInitializer(string name, long[] dims, string location, (long Offset, long Length) range, int dataType = Float)
    {
        if (_initializers.Add(name))
        {
            var t = new TensorProto { Name = name, DataType = dataType, DataLocation = TensorProto.Types.DataLocation.External };
            t.Dims.AddRange(dims);
            t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
            t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = range.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = range.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            _graph.Initializer.Add(t);
        }

        return name;
    }

    public string ConstInt64(string hint, params long[] values) => ConstInt64Shaped(hint, [values.Length], values);

    public string ScalarInt64(string hint, long value) => ConstInt64Shaped(hint, [], [value]);

    public string ConstFloat(string hint, params float[] values)
    {
        string name = Fresh(hint);
        var t = new TensorProto { Name = name, DataType = Float };
        t.Dims.Add(values.Length);
        t.FloatData.AddRange(values);
        _graph.Initializer.Add(t);
        return name;
    }

    public string Node(string op, string[] inputs, string hint, params (string Name, object Value)[] attributes) =>
        NodeMulti(op, inputs, 1, hint, null, attributes)[0];

    public string MsNode(string op, string[] inputs, string hint, params (string Name, object Value)[] attributes) =>
        NodeMulti(op, inputs, 1, hint, "com.microsoft", attributes)[0];

    public string[] NodeMulti(string op, string[] inputs, int outputs, string hint, string? domain, params (string Name, object Value)[] attributes)
    {
        var outs = Enumerable.Range(0, outputs).Select(i => Fresh($"{hint}/out{i}")).ToArray();
        NodeWithOutputs(op, inputs, outs, hint, domain, attributes);
        return outs;
    }

    public void NodeWithOutputs(string op, string[] inputs, string[] outputs, string hint, string? domain, params (string Name, object Value)[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = Fresh(hint + "/" + op) };
        if (domain is not null)
        {
            n.Domain = domain;
        }

        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        foreach (var (name, value) in attributes)
        {
            n.Attribute.Add(Attribute(name, value));
        }

        _graph.Node.Add(n);
    }

    /// <summary>Adds a <c>metadata_props</c> entry to the model (ONNX Runtime shows it as custom metadata).</summary>
    public void Metadata(string key, string value) => _metadata.Add(new(key, value));

    public ModelProto ToModel(string producer)
    {
        var model = new ModelProto { IrVersion = 10, ProducerName = producer, ProducerVersion = "0.1.0", Graph = _graph };
        model.MetadataProps.AddRange(_metadata.Select(e => new StringStringEntryProto { Key = e.Key, Value = e.Value }));
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 21 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        return model;
    }

    private string ConstInt64Shaped(string hint, long[] dims, long[] values)
    {
        string name = Fresh(hint);
        var t = new TensorProto { Name = name, DataType = Int64 };
        t.Dims.AddRange(dims);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return name;
    }

    private string Fresh(string hint) => $"{hint}_{_counter++}";

    private static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case int i:
                a.Type = AttributeProto.Types.AttributeType.Int;
                a.I = i;
                break;
            case long l:
                a.Type = AttributeProto.Types.AttributeType.Int;
                a.I = l;
                break;
            case float f:
                a.Type = AttributeProto.Types.AttributeType.Float;
                a.F = f;
                break;
            case long[] ls:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(ls);
                break;
            case string s:
                a.Type = AttributeProto.Types.AttributeType.String;
                a.S = ByteString.CopyFromUtf8(s);
                break;
            default:
                throw new ArgumentException($"Unsupported attribute type {value.GetType()} for '{name}'.", nameof(value));
        }

        return a;
    }

    private static ValueInfoProto ValueInfo(string name, int elemType, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                string p => new TensorShapeProto.Types.Dimension { DimParam = p },
                int i => new TensorShapeProto.Types.Dimension { DimValue = i },
                long l => new TensorShapeProto.Types.Dimension { DimValue = l },
                _ => throw new ArgumentException($"Bad dim {d}"),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } },
        };
    }
}
