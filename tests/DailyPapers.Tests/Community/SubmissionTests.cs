using System.Globalization;
using System.Net;
using DailyPapers.Community;
using DailyPapers.Tests.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

public sealed class SubmissionTests
{
    /// <summary>The YYMM of ids announced this month: older ids are refused by their number alone, without asking arXiv.</summary>
    internal static string ThisMonth => DateTime.UtcNow.ToString("yyMM", CultureInfo.InvariantCulture);

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SubmissionsFollowTheRules(string engine)
    {
        var now = DateTime.UtcNow;
        await using var stub = await ArxivStub.ServingPapersAsync(new()
        {
            [$"{ThisMonth}.00001"] = now.AddDays(-2),
            [$"{ThisMonth}.00002"] = now.AddDays(-30),
            [$"{ThisMonth}.00003"] = now.AddDays(-1),
        });
        await using var server = await StartAsync(engine, b =>
        {
            b.Configuration["Arxiv:ApiBaseUrl"] = stub.ApiUrl;
            b.Configuration["Arxiv:MinSpacing"] = "00:00:00";
            b.Configuration["Arxiv:MaxAttempts"] = "1";
            b.Configuration["Community:SubmissionsPerUserPerDay"] = "1";
        });
        var email = UniqueEmail("submitter");
        await CreateMemberAsync(server, email, "Grace");
        var client = await LoggedInClientAsync(server, email);

        async Task<HttpResponseMessage> Submit(string id) => await PostFormAsync(client, "/submit", "/submit", new() { ["id"] = id });

        // Invalid, unknown and too old: refused, and none of them uses up the day's allowance.
        Assert.Equal(HttpStatusCode.BadRequest, (await Submit("not an id")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Submit($"{ThisMonth}.09999")).StatusCode);
        var old = await Submit($"https://arxiv.org/abs/{ThisMonth}.00002");
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        Assert.Contains("last 14 days", await old.Content.ReadAsStringAsync());

        // A valid URL: the paper is added to today's list with the submitter's name.
        var ok = await Submit($"https://arxiv.org/abs/{ThisMonth}.00001v1");
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal($"/papers/{ThisMonth}.00001", ok.Headers.Location!.OriginalString);
        var list = await NewClient(server).GetStringAsync($"/papers/date/{now:yyyy-MM-dd}");
        Assert.Contains($"Submitted paper {ThisMonth}.00001", list);
        Assert.Contains("submitted by Grace", list);

        // The same paper again points to the existing one.
        var dup = await Submit($"{ThisMonth}.00001");
        Assert.Equal(HttpStatusCode.Conflict, dup.StatusCode);
        Assert.Contains($"href=\"/papers/{ThisMonth}.00001\"", await dup.Content.ReadAsStringAsync());

        // A second new paper on the same day is over the limit of one.
        Assert.Equal((HttpStatusCode)429, (await Submit($"{ThisMonth}.00003")).StatusCode);

        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(1, await db.Set<Submission>().CountAsync());
        Assert.Equal(DateOnly.FromDateTime(now), (await db.Papers.SingleAsync(p => p.ArxivId == $"{ThisMonth}.00001")).ListingDate);
        Assert.False(await db.Papers.AnyAsync(p => p.ArxivId == $"{ThisMonth}.00003" || p.ArxivId == $"{ThisMonth}.00002"));
    }
}
