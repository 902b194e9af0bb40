using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace DailyPapers.Tests.Ingest;

/// <summary>
/// Serves the recorded 77-day oai_dc stream (shared/data/oai-daily-2017) as an OAI-PMH ListRecords endpoint:
/// each file's day is the records' datestamp; from/until select days; pages carry resumption tokens.
/// </summary>
public sealed class OaiDailyStream
{
    private static readonly XNamespace Oai = "http://www.openarchives.org/OAI/2.0/";
    private static readonly XNamespace OaiDc = "http://www.openarchives.org/OAI/2.0/oai_dc/";
    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";

    public SortedDictionary<DateOnly, List<XElement>> Days { get; } = new();
    public int PageSize { get; set; } = 1000;

    /// <summary>Ids that ListRecords leaves out (a harvest that missed papers) while ListIdentifiers still lists them.</summary>
    public HashSet<string> Withheld { get; } = [];

    /// <summary>The arXiv id of a record of this stream.</summary>
    public static string IdOf(XElement record) => record.Element(Oai + "header")!.Element(Oai + "identifier")!.Value["oai:arXiv.org:".Length..];

    public static OaiDailyStream Load(string? dir = null)
    {
        dir ??= Path.Combine(Support.TestEnv.SharedData, "oai-daily-2017");
        var stream = new OaiDailyStream();
        foreach (var file in Directory.GetFiles(dir, "*.json.gz").Order())
        {
            var day = DateOnly.ParseExact(Path.GetFileName(file)[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var records = new List<XElement>();
            using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress));
            while (reader.ReadLine() is { } line)
            {
                using var doc = JsonDocument.Parse(line);
                records.Add(ToRecord(doc.RootElement[0].GetString()!, day, doc.RootElement[1]));
            }
            stream.Days[day] = records;
        }
        return stream;
    }

    public int RecordCount => Days.Values.Sum(d => d.Count);

    private static XElement ToRecord(string id, DateOnly day, JsonElement dc)
    {
        var meta = new XElement(OaiDc + "dc", new XAttribute(XNamespace.Xmlns + "oai_dc", OaiDc), new XAttribute(XNamespace.Xmlns + "dc", Dc));
        foreach (var field in new[] { "title", "creator", "subject", "description", "date", "type", "identifier" })
            if (dc.TryGetProperty(field, out var values))
                foreach (var v in values.EnumerateArray())
                    meta.Add(new XElement(Dc + field, XmlSafe(v.GetString() ?? "")));
        return new XElement(Oai + "record",
            new XElement(Oai + "header",
                new XElement(Oai + "identifier", "oai:arXiv.org:" + id),
                new XElement(Oai + "datestamp", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
            new XElement(Oai + "metadata", meta));
    }

    /// <summary>XML 1.0 cannot carry control characters; arXiv's own responses never contain them.</summary>
    private static string XmlSafe(string s) => s.Any(c => c < 0x20 && c is not '\t' and not '\n' and not '\r')
        ? new string(s.Where(c => c >= 0x20 || c is '\t' or '\n' or '\r').ToArray()) : s;

    /// <summary>
    /// Answers one ListRecords or ListIdentifiers request (first page by from/until, later pages by token
    /// "verb|from|until|offset"); ListIdentifiers gives the records' headers only.
    /// </summary>
    public async Task HandleAsync(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        DateOnly from, until;
        int offset = 0;
        var verb = q["verb"].ToString();
        if (q["resumptionToken"].ToString() is { Length: > 0 } token)
        {
            var parts = token.Split('|');
            verb = parts[0];
            (from, until, offset) = (DateOnly.Parse(parts[1], CultureInfo.InvariantCulture), DateOnly.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture));
        }
        else
        {
            from = q["from"].Count > 0 ? DateOnly.Parse(q["from"]!, CultureInfo.InvariantCulture) : DateOnly.MinValue;
            until = q["until"].Count > 0 ? DateOnly.Parse(q["until"]!, CultureInfo.InvariantCulture) : DateOnly.MaxValue;
        }
        bool identifiers = verb == "ListIdentifiers";
        var all = Days.Where(d => d.Key >= from && d.Key <= until).SelectMany(d => d.Value)
            .Where(r => identifiers || !Withheld.Contains(IdOf(r))).ToList();
        var root = new XElement(Oai + "OAI-PMH", new XElement(Oai + "responseDate", "2017-04-02T00:00:00Z"));
        if (all.Count == 0)
            root.Add(new XElement(Oai + "error", new XAttribute("code", "noRecordsMatch"), "no records"));
        else
        {
            var page = all.Skip(offset).Take(PageSize);
            var list = identifiers
                ? new XElement(Oai + "ListIdentifiers", page.Select(r => new XElement(r.Element(Oai + "header")!)))
                : new XElement(Oai + "ListRecords", page);
            int next = offset + PageSize;
            list.Add(new XElement(Oai + "resumptionToken", new XAttribute("completeListSize", all.Count), new XAttribute("cursor", offset),
                next < all.Count ? $"{(identifiers ? "ListIdentifiers" : "ListRecords")}|{from:yyyy-MM-dd}|{until:yyyy-MM-dd}|{next}" : ""));
            root.Add(list);
        }
        ctx.Response.ContentType = "text/xml; charset=utf-8";
        var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, new XmlWriterSettings { Encoding = new UTF8Encoding(false) })) root.Save(w);
        await ctx.Response.Body.WriteAsync(ms.ToArray());
    }
}
