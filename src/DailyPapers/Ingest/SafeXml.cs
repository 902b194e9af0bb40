using System.Xml;
using System.Xml.Linq;

namespace DailyPapers.Ingest;

/// <summary>A response that is not the XML we can read; the harvest stops and nothing is written.</summary>
public sealed class ArxivFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads untrusted XML: no DTDs (so no entity expansion, no external entities), no resolver, bounded size, strict UTF-8.</summary>
public static class SafeXml
{
    /// <summary>Characters per document; the byte cap of <see cref="ArxivHttp"/> normally stops a body long before this.</summary>
    public const long MaxCharacters = 64L << 20;

    public static XDocument Load(ReadOnlyMemory<byte> body, string what)
    {
        if (body.Length == 0) throw new ArxivFormatException($"{what}: empty response");
        var span = body.Span;
        if (!System.Text.Unicode.Utf8.IsValid(span))
        {
            int at = FirstInvalidUtf8(span);
            throw new ArxivFormatException($"{what}: response is not valid UTF-8 (first bad byte at offset {at})");
        }
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxCharacters,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CloseInput = true,
        };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body.ToArray(), writable: false), settings);
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex)
        {
            throw new ArxivFormatException($"{what}: unreadable XML: {ex.Message}", ex);
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> s)
    {
        var chars = new char[1 << 16];
        int offset = 0;
        while (offset < s.Length)
        {
            var status = System.Text.Unicode.Utf8.ToUtf16(s[offset..], chars, out int read, out _, replaceInvalidSequences: false);
            offset += read;
            if (status is System.Buffers.OperationStatus.InvalidData or System.Buffers.OperationStatus.NeedMoreData) return offset;
            if (status == System.Buffers.OperationStatus.Done) break;
        }
        return offset;
    }

    /// <summary>Child elements by local name, whatever namespace a producer used (arXiv is not always consistent).</summary>
    public static IEnumerable<XElement> Kids(this XElement e, string localName) =>
        e.Elements().Where(x => x.Name.LocalName == localName);

    public static XElement? Kid(this XElement e, string localName) =>
        e.Elements().FirstOrDefault(x => x.Name.LocalName == localName);

    public static string? KidText(this XElement e, string localName) => e.Kid(localName)?.Value;
}
