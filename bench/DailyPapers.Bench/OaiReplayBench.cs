using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Web;

namespace DailyPapers.Bench;

/// <summary>
/// Records per second through the OAI-PMH path on the 77-day oai_dc replay: every day is rendered to oai_dc
/// ListRecords pages of 1,000 records beforehand (arXiv's page size), then each page goes through the same safe XML
/// load, OAI-PMH parser and <see cref="PaperUpsert"/> that a harvest uses. No network, no politeness waits.
/// </summary>
internal static class OaiReplayBench
{
    private static readonly XNamespace Oai = "http://www.openarchives.org/OAI/2.0/";
    private static readonly XNamespace OaiDc = "http://www.openarchives.org/OAI/2.0/oai_dc/";
    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";

    public static async Task<int> RunAsync(string[] args)
    {
        string? database = null;
        for (int i = 0; i < args.Length; i++)
            if (args[i] == "--database") database = args[++i];
        var pages = Render(Path.Combine(SharedDataFolder.Location, "oai-daily-2017"));
        Console.WriteLine($"pages={pages.Count} bytes={pages.Sum(p => (long)p.Length)}");

        var dir = Path.Combine(Path.GetTempPath(), "dp-bench-oai-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            var db = DatabaseSettings.Resolve(dir, database);
            await ServerApp.MigrateAsync(db);
            var upsert = new PaperUpsert(db);
            foreach (var run in new[] { "first", "repeat" })
            {
                long records = 0;
                var counts = new UpsertCounts();
                var parse = new Stopwatch();
                var sw = Stopwatch.StartNew();
                foreach (var bytes in pages)
                {
                    parse.Start();
                    var page = OaiPmhParser.Parse(SafeXml.Load(bytes, "bench"));
                    parse.Stop();
                    records += page.Items.Count;
                    counts.Add(await upsert.UpsertAsync(page.Items.Where(i => i.Paper is not null).Select(i => i.Paper!).ToList()));
                }
                sw.Stop();
                Console.WriteLine($"engine={db.Provider} run={run} records={records} inserted={counts.Inserted} updated={counts.Updated} unchanged={counts.Unchanged} " +
                                  $"seconds={sw.Elapsed.TotalSeconds:F2} parse_seconds={parse.Elapsed.TotalSeconds:F2} records_per_s={records / sw.Elapsed.TotalSeconds:F0}");
            }
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Npgsql.NpgsqlConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    private static List<byte[]> Render(string dir)
    {
        var pages = new List<byte[]>();
        foreach (var file in Directory.GetFiles(dir, "*.json.gz").Order(StringComparer.Ordinal))
        {
            var day = Path.GetFileName(file)[..10];
            var records = new List<XElement>();
            using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress));
            while (reader.ReadLine() is { } line)
            {
                using var doc = JsonDocument.Parse(line);
                var meta = new XElement(OaiDc + "dc", new XAttribute(XNamespace.Xmlns + "oai_dc", OaiDc), new XAttribute(XNamespace.Xmlns + "dc", Dc));
                foreach (var field in doc.RootElement[1].EnumerateObject())
                    foreach (var v in field.Value.EnumerateArray())
                        meta.Add(new XElement(Dc + field.Name, new string((v.GetString() ?? "").Where(c => c >= 0x20 || c is '\t' or '\n' or '\r').ToArray())));
                records.Add(new XElement(Oai + "record",
                    new XElement(Oai + "header", new XElement(Oai + "identifier", "oai:arXiv.org:" + doc.RootElement[0].GetString()), new XElement(Oai + "datestamp", day)),
                    new XElement(Oai + "metadata", meta)));
            }
            foreach (var chunk in records.Chunk(1000))
            {
                var root = new XElement(Oai + "OAI-PMH", new XElement(Oai + "ListRecords", chunk));
                var ms = new MemoryStream();
                using (var w = XmlWriter.Create(ms, new XmlWriterSettings { Encoding = new UTF8Encoding(false) })) root.Save(w);
                pages.Add(ms.ToArray());
            }
        }
        return pages;
    }
}
