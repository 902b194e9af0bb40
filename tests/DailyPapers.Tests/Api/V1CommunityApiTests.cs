using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DailyPapers.Api;
using DailyPapers.Community;
using DailyPapers.Digest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Api;

/// <summary>Comments, votes, submissions and the digest subscription through /api/v1 with personal API tokens.</summary>
public sealed partial class V1CommunityApiTests
{
    private sealed record Caller(AppUser User, string Read, string Write);

    private static async Task<Caller> MemberWithTokensAsync(TestServer server, string name)
    {
        var user = await CreateMemberAsync(server, UniqueEmail(name.ToLowerInvariant()), name);
        await using var db = server.Database.Settings.CreateContext();
        var (_, read) = await ApiTokens.CreateAsync(db, user.Id, "read", ApiScope.Read);
        var (_, write) = await ApiTokens.CreateAsync(db, user.Id, "write", ApiScope.Write);
        return new Caller(user, read, write);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> CallAsync(
        TestServer server, HttpMethod method, string url, string? secret, object? json = null, string? raw = null)
    {
        using var req = new HttpRequestMessage(method, url);
        if (secret is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        if (json is not null) req.Content = new StringContent(JsonSerializer.Serialize(json), Encoding.UTF8, "application/json");
        if (raw is not null) req.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        var res = await server.Client.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        if ((int)res.StatusCode >= 400)
        {
            Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
            Assert.Equal((int)res.StatusCode, body.GetProperty("status").GetInt32());
        }
        return (res.StatusCode, body, res);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task CommentsArePostedRepliedEditedDeletedAndListedAsAThreadWithSanitisedHtml(string engine)
    {
        // Every write below counts against the per-member comment budget (its own test checks that).
        await using var server = await StartAsync(engine, b => b.Configuration["Community:CommentsPerUserPer10Minutes"] = "100");
        await SeedPapersAsync(server, 1);
        var ada = await MemberWithTokensAsync(server, "Ada");
        var eve = await MemberWithTokensAsync(server, "Eve");
        const string url = "api/v1/papers/2501.00001/comments";

        var xss = "Nice result <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) and $x^2$";
        var (status, top, created) = await CallAsync(server, HttpMethod.Post, url, ada.Write, new { markdown = xss });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.NotNull(created.Headers.Location);
        var html = top.GetProperty("html").GetString()!;
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.Contains("class=\"math\"", html);
        Assert.Equal(xss, top.GetProperty("markdown").GetString());
        Assert.Equal("Ada", top.GetProperty("author").GetProperty("name").GetString());
        var topId = top.GetProperty("id").GetInt64();

        var (replyStatus, reply, _) = await CallAsync(server, HttpMethod.Post, url, eve.Write, new { markdown = "I **disagree**", parentId = topId });
        Assert.Equal(HttpStatusCode.Created, replyStatus);
        Assert.Equal(topId, reply.GetProperty("parentId").GetInt64());
        Assert.Equal(1, reply.GetProperty("depth").GetInt32());
        Assert.Equal("<p>I <strong>disagree</strong></p>", reply.GetProperty("html").GetString()!.Trim());
        var (_, second, _) = await CallAsync(server, HttpMethod.Post, url, ada.Write, new { markdown = "A second thought" });

        // The HTML the API returns is the HTML the paper page shows.
        var page = await NewClient(server).GetStringAsync("/papers/2501.00001");
        Assert.Contains(reply.GetProperty("html").GetString()!.Trim(), page);

        // Bad bodies, unknown parents and papers are problems, not 500s; nothing is written.
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Post, url, ada.Write, new { markdown = "  " })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Post, url, ada.Write, new { markdown = new string('x', CommentRules.MaxLength + 1) })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Post, url, ada.Write, new { markdown = "orphan", parentId = 999_999 })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Post, url, ada.Write, raw: "{\"markdown\": ")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Post, url, ada.Write, raw: "{\"markdown\": 5}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Post, url, ada.Write)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(server, HttpMethod.Post, "api/v1/papers/2501.09999/comments", ada.Write, new { markdown = "hi" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Post, "api/v1/papers/nonsense/comments", ada.Write, new { markdown = "hi" })).Status);
        // Scope and authentication.
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(server, HttpMethod.Post, url, ada.Read, new { markdown = "hi" })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(server, HttpMethod.Post, url, null, new { markdown = "hi" })).Status);

        // Only the author edits or deletes.
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(server, HttpMethod.Patch, $"api/v1/comments/{topId}", eve.Write, new { markdown = "mine now" })).Status);
        var (editStatus, edited, _) = await CallAsync(server, HttpMethod.Patch, $"api/v1/comments/{topId}", ada.Write, new { markdown = "Nice result, *edited*" });
        Assert.Equal(HttpStatusCode.OK, editStatus);
        Assert.NotEqual(JsonValueKind.Null, edited.GetProperty("editedAt").ValueKind);
        Assert.Equal(0, edited.GetProperty("depth").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(server, HttpMethod.Patch, "api/v1/comments/999999", ada.Write, new { markdown = "x" })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(server, HttpMethod.Delete, $"api/v1/comments/{topId}", ada.Write)).Status);

        // Anyone may read the thread: depth first, the deleted comment a tombstone that keeps its reply.
        var (listStatus, thread, listed) = await CallAsync(server, HttpMethod.Get, url, null);
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Equal(2, thread.GetProperty("count").GetInt32());
        var comments = thread.GetProperty("comments").EnumerateArray().ToList();
        Assert.Equal([topId, reply.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64()], comments.Select(c => c.GetProperty("id").GetInt64()));
        Assert.Equal([0, 1, 0], comments.Select(c => c.GetProperty("depth").GetInt32()));
        Assert.True(comments[0].GetProperty("deleted").GetBoolean());
        Assert.Equal(JsonValueKind.Null, comments[0].GetProperty("author").ValueKind);
        Assert.Equal(JsonValueKind.Null, comments[0].GetProperty("html").ValueKind);
        Assert.Equal("Eve", comments[1].GetProperty("author").GetProperty("name").GetString());

        // A comment hidden by a moderator keeps its place and author but not its text.
        await using (var scope = server.App.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<CommentWriter>().SetHiddenAsync("moderator", second.GetProperty("id").GetInt64(), true);
        var (_, afterHide, _) = await CallAsync(server, HttpMethod.Get, url, null);
        var hidden = afterHide.GetProperty("comments")[2];
        Assert.True(hidden.GetProperty("hidden").GetBoolean());
        Assert.Equal(JsonValueKind.Null, hidden.GetProperty("markdown").ValueKind);
        Assert.Equal("Ada", hidden.GetProperty("author").GetProperty("name").GetString());
        Assert.Equal(1, afterHide.GetProperty("count").GetInt32());

        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(1, (await db.Papers.SingleAsync(p => p.ArxivId == "2501.00001")).CommentCount);
        Assert.Equal(3, await db.Set<Comment>().CountAsync());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task CommentWritesShareThePagesPerMemberRateLimit(string engine)
    {
        await using var server = await StartAsync(engine, b => b.Configuration["Community:CommentsPerUserPer10Minutes"] = "2");
        var ids = await SeedPapersAsync(server, 1);
        var ada = await MemberWithTokensAsync(server, "Ada");
        var web = await LoggedInClientAsync(server, ada.User.Email!);

        // One comment from the page, one from the API: the third write, from either, is over the shared budget.
        var form = await PostFormAsync(web, "/papers/2501.00001", "/comments/new", new() { ["paperId"] = ids[0].ToString(), ["body"] = "from the page" });
        Assert.Equal(HttpStatusCode.Redirect, form.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CallAsync(server, HttpMethod.Post, "api/v1/papers/2501.00001/comments", ada.Write, new { markdown = "from the API" })).Status);
        var (status, _, limited) = await CallAsync(server, HttpMethod.Post, "api/v1/papers/2501.00001/comments", ada.Write, new { markdown = "one too many" });
        Assert.Equal((HttpStatusCode)429, status);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Another member has a budget of their own.
        var eve = await MemberWithTokensAsync(server, "Eve");
        Assert.Equal(HttpStatusCode.Created, (await CallAsync(server, HttpMethod.Post, "api/v1/papers/2501.00001/comments", eve.Write, new { markdown = "hello" })).Status);
        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(3, await db.Set<Comment>().CountAsync());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task VotesAreIdempotentAndTheCountEqualsTheVoteRows(string engine)
    {
        await using var server = await StartAsync(engine);
        await SeedPapersAsync(server, 1);
        await server.App.Services.GetRequiredService<DailyPapers.Ingest.PaperUpsert>()
            .UpsertAsync([Record("hep-th/9901001", DateOnly.FromDateTime(DateTime.UtcNow))]);
        var ada = await MemberWithTokensAsync(server, "Ada");
        var eve = await MemberWithTokensAsync(server, "Eve");
        const string url = "api/v1/papers/2501.00001/vote";

        async Task<(bool Voted, int Upvotes)> Vote(HttpMethod m, string secret)
        {
            var (status, body, _) = await CallAsync(server, m, url, secret);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("2501.00001", body.GetProperty("arxivId").GetString());
            return (body.GetProperty("voted").GetBoolean(), body.GetProperty("upvotes").GetInt32());
        }

        Assert.Equal((false, 0), await Vote(HttpMethod.Get, ada.Read));
        Assert.Equal((true, 1), await Vote(HttpMethod.Put, ada.Write));
        Assert.Equal((true, 1), await Vote(HttpMethod.Put, ada.Write));
        Assert.Equal((true, 2), await Vote(HttpMethod.Put, eve.Write));
        Assert.Equal((true, 2), await Vote(HttpMethod.Get, ada.Read));
        Assert.Equal((false, 1), await Vote(HttpMethod.Delete, ada.Write));
        Assert.Equal((false, 1), await Vote(HttpMethod.Delete, ada.Write));
        Assert.Equal((true, 1), await Vote(HttpMethod.Get, eve.Read));

        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(server, HttpMethod.Put, url, ada.Read)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(server, HttpMethod.Get, url, null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(server, HttpMethod.Put, url, "dp_revoked-or-made-up")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(server, HttpMethod.Put, "api/v1/papers/2501.09999/vote", ada.Write)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Put, "api/v1/papers/not-an-id/vote", ada.Write)).Status);

        // An old-style id travels with its slash encoded.
        var (oldStatus, old, _) = await CallAsync(server, HttpMethod.Put, "api/v1/papers/hep-th%2F9901001/vote", ada.Write);
        Assert.Equal(HttpStatusCode.OK, oldStatus);
        Assert.Equal("hep-th/9901001", old.GetProperty("arxivId").GetString());

        await using var db = server.Database.Settings.CreateContext();
        foreach (var p in await db.Papers.ToListAsync())
            Assert.Equal(await db.Set<Vote>().CountAsync(v => v.PaperId == p.Id), p.Upvotes);
        Assert.Equal(1, (await db.Papers.SingleAsync(p => p.ArxivId == "2501.00001")).Upvotes);
    }

    private static string ThisMonth => Community.SubmissionTests.ThisMonth;

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SubmissionsThroughTheApiFollowTheSubmitPagesRules(string engine)
    {
        var now = DateTime.UtcNow;
        await using var stub = await Ingest.ArxivStub.ServingPapersAsync(new()
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
        var grace = await MemberWithTokensAsync(server, "Grace");
        Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> Submit(object? body, string? secret = null) =>
            CallAsync(server, HttpMethod.Post, "api/v1/submissions", secret ?? grace.Write, body);

        Assert.Equal(HttpStatusCode.BadRequest, (await Submit(new { arxivId = "not an id" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Submit(new { })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Submit(null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Submit(new { arxivId = $"{ThisMonth}.09999" })).Status);
        var old = await Submit(new { arxivId = $"https://arxiv.org/abs/{ThisMonth}.00002" });
        Assert.Equal(HttpStatusCode.BadRequest, old.Status);
        Assert.Contains("last 14 days", old.Body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Submit(new { arxivId = $"{ThisMonth}.00001" }, grace.Read)).Status);

        var (status, added, response) = await Submit(new { arxivId = $"https://arxiv.org/abs/{ThisMonth}.00001v1" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal($"/api/v1/papers/{ThisMonth}.00001", response.Headers.Location!.OriginalString);
        Assert.Equal($"{ThisMonth}.00001", added.GetProperty("arxivId").GetString());
        Assert.Equal($"Submitted paper {ThisMonth}.00001 on $\\alpha$-stable noise", added.GetProperty("paper").GetProperty("title").GetString());
        Assert.Equal(now.ToString("yyyy-MM-dd"), added.GetProperty("paper").GetProperty("listingDate").GetString());

        // The same paper again: a conflict that points to the paper already here.
        var (dupStatus, dup, _) = await Submit(new { arxivId = $"{ThisMonth}.00001" });
        Assert.Equal(HttpStatusCode.Conflict, dupStatus);
        Assert.Equal($"{ThisMonth}.00001", dup.GetProperty("arxivId").GetString());
        Assert.EndsWith($"/api/v1/papers/{ThisMonth}.00001", dup.GetProperty("paper").GetString());

        var (overStatus, _, over) = await Submit(new { arxivId = $"{ThisMonth}.00003" });
        Assert.Equal((HttpStatusCode)429, overStatus);
        Assert.True(over.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        var (listStatus, list, _) = await CallAsync(server, HttpMethod.Get, "api/v1/submissions", grace.Read);
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Equal([$"{ThisMonth}.00001"], list.EnumerateArray().Select(s => s.GetProperty("arxivId").GetString()));

        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(1, await db.Set<Submission>().CountAsync());
        Assert.False(await db.Papers.AnyAsync(p => p.ArxivId == $"{ThisMonth}.00003" || p.ArxivId == $"{ThisMonth}.00002"));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ArxivNotAnsweringASubmissionIsA503(string engine)
    {
        await using var server = await StartAsync(engine, b =>
        {
            // A port nothing listens on: the connection is refused at once.
            b.Configuration["Arxiv:ApiBaseUrl"] = "http://127.0.0.1:9/api/query";
            b.Configuration["Arxiv:MinSpacing"] = "00:00:00";
            b.Configuration["Arxiv:MaxAttempts"] = "1";
        });
        var grace = await MemberWithTokensAsync(server, "Grace");
        var (status, body, _) = await CallAsync(server, HttpMethod.Post, "api/v1/submissions", grace.Write, new { arxivId = $"{ThisMonth}.00001" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("arXiv", body.GetProperty("detail").GetString());
    }

    [GeneratedRegex(@"token=([A-Za-z0-9_\-%]+)")]
    private static partial Regex ConfirmToken();

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task DigestSubscriptionStartsTheDoubleOptInThenIsReadChangedAndEnded(string engine)
    {
        await using var server = await StartAsync(engine, b => b.Configuration["Digest:SchedulerEnabled"] = "false");
        var ada = await MemberWithTokensAsync(server, "Ada");
        var email = ada.User.Email!;
        const string url = "api/v1/digest/subscription";

        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(server, HttpMethod.Get, url, ada.Read)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(server, HttpMethod.Put, url, ada.Read, new { frequency = "weekly" })).Status);

        // Invalid preferences: a validation problem naming the field, and no subscription.
        var (badStatus, bad, _) = await CallAsync(server, HttpMethod.Put, url, ada.Write, new { frequency = "hourly", categories = new[] { "cs.CL!" } });
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.True(bad.GetProperty("errors").TryGetProperty("frequency", out _));
        Assert.True(bad.GetProperty("errors").TryGetProperty("categories", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(server, HttpMethod.Get, url, ada.Read)).Status);

        // Subscribing mails a confirmation link, as the subscribe page does; the subscription waits for it.
        var (status, change, _) = await CallAsync(server, HttpMethod.Put, url, ada.Write,
            new { frequency = "weekly", categories = new[] { "cs.CL", "stat" }, keywords = new[] { "diffusion models" }, authors = new[] { "Ada Lovelace" } });
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.True(change.GetProperty("confirmationMailed").GetBoolean());
        var sub = change.GetProperty("subscription");
        Assert.Equal("unconfirmed", sub.GetProperty("state").GetString());
        Assert.Equal(email, sub.GetProperty("email").GetString());
        Assert.Equal(["cs.CL", "stat"], sub.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));

        var (_, body) = await WaitForMailAsync(email, "onfirm");
        var token = Uri.UnescapeDataString(ConfirmToken().Match(body).Groups[1].Value);
        using var anonymous = NewClient(server);
        var confirmed = await anonymous.PostAsync("digest/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);

        var (getStatus, got, _) = await CallAsync(server, HttpMethod.Get, url, ada.Read);
        Assert.Equal(HttpStatusCode.OK, getStatus);
        Assert.Equal("confirmed", got.GetProperty("state").GetString());
        Assert.Equal("weekly", got.GetProperty("frequency").GetString());
        Assert.Equal(["diffusion models"], got.GetProperty("keywords").EnumerateArray().Select(c => c.GetString()));

        // A confirmed subscription changes at once, without another mail.
        var (changeStatus, changed, _) = await CallAsync(server, HttpMethod.Put, url, ada.Write, new { frequency = "daily", categories = new[] { "cs.LG" } });
        Assert.Equal(HttpStatusCode.OK, changeStatus);
        Assert.False(changed.GetProperty("confirmationMailed").GetBoolean());
        Assert.Equal("daily", changed.GetProperty("subscription").GetProperty("frequency").GetString());
        Assert.Empty(changed.GetProperty("subscription").GetProperty("keywords").EnumerateArray());
        Assert.Equal(1, await CountMailsAsync(email));

        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(server, HttpMethod.Delete, url, ada.Write)).Status);
        var (_, ended, _) = await CallAsync(server, HttpMethod.Get, url, ada.Read);
        Assert.Equal("unsubscribed", ended.GetProperty("state").GetString());
        await using var db = server.Database.Settings.CreateContext();
        var row = await db.Set<Subscription>().SingleAsync(s => s.Email == email);
        Assert.Equal(SubscriptionState.Unsubscribed, row.State);
        Assert.Equal(DigestFrequency.Daily, row.Frequency);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task OpenApiDocumentListsTheCommunityAndDigestEndpoints(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var doc = JsonDocument.Parse(await server.Client.GetStringAsync("openapi/v1.json")).RootElement;
        var paths = doc.GetProperty("paths");
        foreach (var (path, methods) in new[]
        {
            ("/api/v1/papers/{id}/comments", new[] { "get", "post" }),
            ("/api/v1/comments/{commentId}", ["patch", "delete"]),
            ("/api/v1/papers/{id}/vote", ["get", "put", "delete"]),
            ("/api/v1/submissions", ["get", "post"]),
            ("/api/v1/digest/subscription", ["get", "put", "delete"]),
        })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the OpenAPI document");
            foreach (var m in methods) Assert.True(item.TryGetProperty(m, out _), $"{m} {path} is not in the OpenAPI document");
        }
    }
}
