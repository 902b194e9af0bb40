using System.Text.Json;
using DailyPapers.Tests.Feeds;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Api;

/// <summary>
/// For each recorded Hugging Face day, our /api/daily_papers for the same papers has every key HF always sends, at the
/// same place, with the same JSON type. "Always" is judged against the recordings: a key HF left out of any entry
/// recorded within 45 days of the fixture (githubRepo, ai_summary, organization…) is optional, and we may omit it
/// (when we have no such data); any key we do send that HF also sends must have HF's type. The instance imports the
/// same day through the HF history import, so the signals it sends (upvotes, stars, submitter…) are HF's own values.
/// </summary>
public sealed class HfContractTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var engine in new[] { TestDatabase.Sqlite, TestDatabase.Postgres })
            foreach (var day in new[] { "2024-05-27", "2025-06-02", "2026-08-21" })
                data.Add(engine, day);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task DailyPapersHasEveryKeyHuggingFaceSendsWithTheSameType(string engine, string day)
    {
        var date = DateOnly.Parse(day);
        var fixture = HfFixtures.Load(day);
        var recorded = new JsonShape();
        recorded.AddEntries(fixture);
        var history = new JsonShape();
        foreach (var d in HfFixtures.ArchiveAround(date, 45)) history.AddEntries(d);

        await using var server = await TestServer.StartAsync(engine);
        await Seed.UpsertAsync(server, [.. HfFixtures.Records(fixture, date)]);
        var import = server.App.Services.GetRequiredService<DailyPapers.Ingest.HfDailyImport>();
        var summary = await import.RunAsync(Path.Combine(HfFixtures.Dir, $"daily_papers_{day}.json"));
        Assert.Equal(fixture.GetArrayLength(), summary.Entries);
        var body = JsonDocument.Parse(await server.Client.GetStringAsync($"api/daily_papers?date={day}&limit=100")).RootElement;

        Assert.Equal(
            fixture.EnumerateArray().Select(e => e.GetProperty("paper").GetProperty("id").GetString()).Order(),
            body.EnumerateArray().Select(e => e.GetProperty("paper").GetProperty("id").GetString()).Order());

        // The imported signals come back as HF sent them (no local votes here, so upvotes are HF's alone).
        var theirsById = fixture.EnumerateArray().ToDictionary(e => e.GetProperty("paper").GetProperty("id").GetString()!, e => e.GetProperty("paper"));
        foreach (var e in body.EnumerateArray())
        {
            var p = e.GetProperty("paper");
            var t = theirsById[p.GetProperty("id").GetString()!];
            Assert.Equal(t.GetProperty("upvotes").GetInt32(), p.GetProperty("upvotes").GetInt32());
            foreach (var key in new[] { "githubRepo", "projectPage", "ai_summary" })
                Assert.Equal(t.TryGetProperty(key, out var tv) && tv.ValueKind == JsonValueKind.String && tv.GetString()!.Trim().Length > 0 ? tv.GetString()!.Trim() : null,
                    p.TryGetProperty(key, out var ov) ? ov.GetString() : null);
            Assert.Equal(t.TryGetProperty("githubStars", out var ts) && ts.ValueKind == JsonValueKind.Number ? ts.GetInt32() : (int?)null,
                p.TryGetProperty("githubStars", out var os) ? os.GetInt32() : null);
            Assert.Equal(t.TryGetProperty("submittedOnDailyBy", out var tb) && tb.ValueKind == JsonValueKind.Object ? tb.GetProperty("user").GetString() : null,
                p.TryGetProperty("submittedOnDailyBy", out var ob) ? ob.GetProperty("user").GetString() : null);
        }

        var ours = new JsonShape();
        ours.AddEntries(body);
        var problems = new List<string>();
        foreach (var key in recorded.AlwaysPresent.Where(k => !history.IsOptional(k)).Order())
        {
            var parent = JsonShape.Parent(key);
            if (ours.ObjectCount.GetValueOrDefault(parent) == 0) continue; // an optional parent (e.g. an author's user) we never send
            if (ours.KeyCount.GetValueOrDefault(key) != ours.ObjectCount[parent]) problems.Add($"{key} missing");
        }
        foreach (var (key, types) in ours.Types)
        {
            var theirs = new HashSet<string>(recorded.Types.GetValueOrDefault(key) ?? []);
            theirs.UnionWith(history.Types.GetValueOrDefault(key) ?? []);
            if (theirs.Count > 0 && !types.IsSubsetOf(theirs)) problems.Add($"{key}: ours {string.Join("|", types)}, HF {string.Join("|", theirs)}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
