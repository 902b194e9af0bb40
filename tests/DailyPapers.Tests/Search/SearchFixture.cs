using System.Net.Http.Json;
using System.Text.Json;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Search;

/// <summary>Helpers shared by the search tests: import real papers, wait for the index, call the API.</summary>
internal static class SearchTestSupport
{
    public const string NilmId = "1507.06594"; // "Neural NILM: Deep Neural Networks Applied to Energy Disaggregation", Kelly & Knottenbelt, cs.NE, July 2015

    public static async Task<TestServer> StartWithSampleAsync(string engine, bool embeddings = false, int? firstLines = null)
    {
        var server = await TestServer.StartAsync(engine, b =>
        {
            b.Configuration["Search:Embeddings"] = embeddings ? "true" : "false";
            b.Configuration["Search:IndexPollInterval"] = "00:00:00.200";
        });
        var path = TestEnv.Sample1000;
        if (firstLines is { } n)
        {
            // A small slice keeps the embedding work of a test to seconds; it always includes the NILM paper.
            path = Path.Combine(server.Database.DataDir, "slice.jsonl");
            var lines = File.ReadLines(TestEnv.Sample1000).ToList();
            await File.WriteAllLinesAsync(path, lines.Take(n).Append(lines.First(l => l.Contains(NilmId))).Distinct());
        }
        var summary = await new SnapshotImport(new PaperUpsert(server.Database.Settings)).RunAsync(path);
        await WaitForAsync(server, s => s.GetProperty("indexedPapers").GetInt32() == summary.Counts.Inserted);
        return server;
    }

    public static async Task<JsonElement> StatusAsync(TestServer server) =>
        await server.Client.GetFromJsonAsync<JsonElement>("api/v1/search/status");

    public static async Task WaitForAsync(TestServer server, Func<JsonElement, bool> done, int seconds = 120)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var s = await StatusAsync(server);
            if (done(s)) return;
            if (DateTime.UtcNow > until) throw new TimeoutException("search status never reached the expected state: " + s);
            await Task.Delay(200);
        }
    }

    public static async Task<JsonElement> SearchAsync(TestServer server, string query)
    {
        var res = await server.Client.GetAsync("api/v1/papers/search?" + query);
        Assert.Equal(System.Net.HttpStatusCode.OK, res.StatusCode);
        return await res.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static List<string> Ids(JsonElement result) =>
        result.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
}
