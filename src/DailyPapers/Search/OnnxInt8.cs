using System.Text;

namespace DailyPapers.Search;

/// <summary>
/// Dynamic int8 quantisation of an ONNX model's weight matrices, done here because ONNX Runtime's C# API has no
/// quantisation tooling: every <c>MatMul</c> whose second input is a 2-D float initializer becomes ONNX Runtime's
/// <c>com.microsoft.DynamicQuantizeMatMul</c> with the weights as int8 (symmetric, one scale per output column);
/// activations are quantised per call by the operator. The protobuf is read and written field by field, and
/// everything not touched is copied byte for byte. The product's embedder converts every weight matrix but the
/// feed-forward outputs (<see cref="EmbedderWeights"/>).
/// </summary>
public static class OnnxInt8
{
    private const int WireVarint = 0, WireFixed64 = 1, WireLen = 2, WireFixed32 = 5;

    private readonly record struct Field(int Number, int Wire, ulong Value, int Start, int End, int PayloadStart);

    /// <summary>Returns the quantised model and how many MatMuls were converted.</summary>
    /// <param name="convert">Which weight matrices (by their [rows, columns]) to convert; default all.</param>
    public static (byte[] Model, int Converted) Quantize(byte[] model, Func<long[], bool>? convert = null)
    {
        var output = new MemoryStream(model.Length / 3);
        int converted = 0;
        foreach (var f in Parse(model, 0, model.Length))
        {
            if (f.Number == 7 && f.Wire == WireLen) // ModelProto.graph
            {
                var (graph, n) = RewriteGraph(model, f.PayloadStart, f.End, convert ?? (_ => true));
                converted = n;
                WriteLen(output, 7, graph);
            }
            else output.Write(model, f.Start, f.End - f.Start);
        }
        // ModelProto.opset_import: { domain = "com.microsoft", version = 1 }
        var opset = new MemoryStream();
        WriteLen(opset, 1, Encoding.UTF8.GetBytes("com.microsoft"));
        WriteTag(opset, 2, WireVarint);
        WriteVarint(opset, 1);
        WriteLen(output, 8, opset.ToArray());
        return (output.ToArray(), converted);
    }

    private static (byte[] Graph, int Converted) RewriteGraph(byte[] m, int start, int end, Func<long[], bool> convert)
    {
        var fields = Parse(m, start, end);
        // GraphProto.initializer (5): 2-D float tensors by name.
        var weights = new Dictionary<string, (long[] Dims, int Start, int End)>(StringComparer.Ordinal);
        foreach (var f in fields.Where(f => f.Number == 5 && f.Wire == WireLen))
        {
            var t = ReadTensor(m, f.PayloadStart, f.End);
            if (t.DataType == 1 && t.Dims.Length == 2 && t.Name is not null && t.RawStart >= 0 && convert(t.Dims))
                weights[t.Name] = (t.Dims, t.RawStart, t.RawEnd);
        }

        // Float weights only read by converted MatMuls are dropped (not when listed as graph inputs, field 11).
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var quantised = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in fields)
        {
            if (f.Number == 11 && f.Wire == WireLen)
                keep.UnionWith(Parse(m, f.PayloadStart, f.End).Where(x => x.Number == 1).Select(x => Str(m, x)));
            if (f.Number != 1 || f.Wire != WireLen) continue;
            var node = Parse(m, f.PayloadStart, f.End);
            var op = node.Where(x => x.Number == 4).Select(x => Str(m, x)).FirstOrDefault();
            var inputs = node.Where(x => x.Number == 1).Select(x => Str(m, x)).ToList();
            bool convertible = op == "MatMul" && inputs.Count == 2 && weights.ContainsKey(inputs[1]);
            keep.UnionWith(convertible ? inputs.Take(1) : inputs);
            if (convertible) quantised.Add(inputs[1]);
        }

        var output = new MemoryStream(end - start);
        var added = new Dictionary<string, (byte[] Q, byte[] Scale)>(StringComparer.Ordinal);
        int converted = 0;
        foreach (var f in fields)
        {
            if (f.Number == 1 && f.Wire == WireLen) // GraphProto.node
            {
                var node = Parse(m, f.PayloadStart, f.End);
                string? op = node.Where(x => x.Number == 4).Select(x => Str(m, x)).FirstOrDefault();
                var inputs = node.Where(x => x.Number == 1).Select(x => Str(m, x)).ToList();
                if (op == "MatMul" && inputs.Count == 2 && weights.TryGetValue(inputs[1], out var w))
                {
                    if (!added.ContainsKey(inputs[1])) added[inputs[1]] = QuantizeColumns(m, w.Dims, w.Start, w.End);
                    var rewritten = new MemoryStream();
                    foreach (var name in new[] { inputs[0], inputs[1] + "_int8", inputs[1] + "_scale" })
                        WriteLen(rewritten, 1, Encoding.UTF8.GetBytes(name));
                    foreach (var x in node.Where(x => x.Number is 2 or 3)) rewritten.Write(m, x.Start, x.End - x.Start); // outputs, name
                    WriteLen(rewritten, 4, Encoding.UTF8.GetBytes("DynamicQuantizeMatMul"));
                    WriteLen(rewritten, 7, Encoding.UTF8.GetBytes("com.microsoft"));
                    WriteLen(output, 1, rewritten.ToArray());
                    converted++;
                    continue;
                }
            }
            if (f.Number == 5 && f.Wire == WireLen && ReadTensor(m, f.PayloadStart, f.End).Name is { } init && quantised.Contains(init) && !keep.Contains(init))
                continue;
            output.Write(m, f.Start, f.End - f.Start);
        }
        foreach (var (name, (q, scale)) in added)
        {
            var dims = weights[name].Dims;
            WriteLen(output, 5, Tensor(name + "_int8", dims, 3, q)); // INT8
            WriteLen(output, 5, Tensor(name + "_scale", [dims[1]], 1, scale)); // FLOAT
        }
        return (output.ToArray(), converted);
    }

    /// <summary>Symmetric int8 per output column: scale = max |w| / 127 over the column.</summary>
    private static (byte[] Q, byte[] Scale) QuantizeColumns(byte[] m, long[] dims, int start, int end)
    {
        int rows = checked((int)dims[0]), cols = checked((int)dims[1]);
        if (end - start != rows * cols * sizeof(float)) throw new InvalidDataException("Weight size does not match its dimensions.");
        var w = new float[rows * cols];
        Buffer.BlockCopy(m, start, w, 0, end - start);
        var scales = new float[cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                scales[c] = Math.Max(scales[c], Math.Abs(w[r * cols + c]));
        for (int c = 0; c < cols; c++) scales[c] = scales[c] > 0 ? scales[c] / 127f : 1f;
        var q = new byte[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                q[r * cols + c] = unchecked((byte)(sbyte)Math.Clamp(MathF.Round(w[r * cols + c] / scales[c]), -127f, 127f));
        var scaleBytes = new byte[cols * sizeof(float)];
        Buffer.BlockCopy(scales, 0, scaleBytes, 0, scaleBytes.Length);
        return (q, scaleBytes);
    }

    private static byte[] Tensor(string name, long[] dims, int dataType, byte[] raw)
    {
        var t = new MemoryStream(raw.Length + 64);
        foreach (var d in dims) { WriteTag(t, 1, WireVarint); WriteVarint(t, (ulong)d); }
        WriteTag(t, 2, WireVarint);
        WriteVarint(t, (ulong)dataType);
        WriteLen(t, 8, Encoding.UTF8.GetBytes(name));
        WriteLen(t, 9, raw);
        return t.ToArray();
    }

    private static (long[] Dims, int DataType, string? Name, int RawStart, int RawEnd) ReadTensor(byte[] m, int start, int end)
    {
        var dims = new List<long>();
        int type = 0, rawStart = -1, rawEnd = -1;
        string? name = null;
        foreach (var f in Parse(m, start, end))
        {
            switch (f.Number, f.Wire)
            {
                case (1, WireVarint): dims.Add((long)f.Value); break;
                case (1, WireLen): // packed
                    for (int p = f.PayloadStart; p < f.End;) dims.Add((long)ReadVarint(m, ref p));
                    break;
                case (2, WireVarint): type = (int)f.Value; break;
                case (8, WireLen): name = Str(m, f); break;
                case (9, WireLen): rawStart = f.PayloadStart; rawEnd = f.End; break;
            }
        }
        return ([.. dims], type, name, rawStart, rawEnd);
    }

    private static string Str(byte[] m, Field f) => Encoding.UTF8.GetString(m, f.PayloadStart, f.End - f.PayloadStart);

    private static List<Field> Parse(byte[] m, int start, int end)
    {
        var fields = new List<Field>();
        int p = start;
        while (p < end)
        {
            int fieldStart = p;
            ulong tag = ReadVarint(m, ref p);
            int number = (int)(tag >> 3), wire = (int)(tag & 7);
            ulong value = 0;
            int payload = p;
            switch (wire)
            {
                case WireVarint: value = ReadVarint(m, ref p); break;
                case WireFixed64: p += 8; break;
                case WireFixed32: p += 4; break;
                case WireLen:
                    int len = checked((int)ReadVarint(m, ref p));
                    payload = p;
                    p += len;
                    break;
                default: throw new InvalidDataException($"Unsupported protobuf wire type {wire}.");
            }
            if (p > end) throw new InvalidDataException("Truncated protobuf field.");
            fields.Add(new Field(number, wire, value, fieldStart, p, payload));
        }
        return fields;
    }

    private static ulong ReadVarint(byte[] m, ref int p)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = m[p++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
    }

    private static void WriteTag(Stream s, int number, int wire) => WriteVarint(s, (ulong)((number << 3) | wire));

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }

    private static void WriteLen(Stream s, int number, byte[] payload)
    {
        WriteTag(s, number, WireLen);
        WriteVarint(s, (ulong)payload.Length);
        s.Write(payload);
    }
}
