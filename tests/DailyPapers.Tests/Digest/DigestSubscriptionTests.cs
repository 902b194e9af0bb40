using System.Net;
using System.Text.RegularExpressions;
using DailyPapers.Digest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using MimeKit;

namespace DailyPapers.Tests.Digest;

/// <summary>The subscriber's path through the real app and the shared smtp4dev server: subscribe, confirm, receive, unsubscribe.</summary>
public sealed partial class DigestSubscriptionTests
{
    private const string Base = "https://papers.example.test";

    private static Task<TestServer> StartAsync(string engine, Action<Dictionary<string, string?>>? extra = null) =>
        TestServer.StartAsync(engine, b =>
        {
            var config = new Dictionary<string, string?>
            {
                ["Mail:Host"] = "127.0.0.1",
                ["Mail:Port"] = MailInbox.SmtpPort.ToString(),
                ["Mail:Tls"] = "None",
                ["Digest:PublicBaseUrl"] = Base,
                ["Digest:TopPapers"] = "3",
                ["Digest:SchedulerEnabled"] = "false",
            };
            extra?.Invoke(config);
            b.Configuration.AddInMemoryCollection(config);
        });

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SubscribeConfirmThenReceiveTheDigestWithTheRightPapersPartsAndHeaders(string engine)
    {
        await using var server = await StartAsync(engine);
        await DigestTestData.SeedPapersAsync(server.Database.Settings);
        var reader = MailInbox.NewAddress("reader");
        var lurker = MailInbox.NewAddress("lurker");

        await SubscribeAsync(server, reader, categories: "q-bio", keywords: "quantum annealing", authors: "Grace Hoppertest");
        await SubscribeAsync(server, lurker);

        var confirmation = Assert.Single(await MailInbox.WaitForAsync(reader, 1));
        Assert.Contains("Confirm", confirmation.Subject);
        var link = ConfirmLink().Match(confirmation.TextBody ?? "").Value;
        Assert.StartsWith(Base + "/digest/confirm?token=", link);

        // Opening the link (as a mail scanner would) changes nothing; the POST from its button confirms.
        using var anonymous = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        var path = link[Base.Length..];
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path)).StatusCode);
        Assert.Equal(SubscriptionState.Unconfirmed, await StateAsync(server, reader));
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=") + 6)..]);
        var confirm = await anonymous.PostAsync("digest/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Equal(SubscriptionState.Confirmed, await StateAsync(server, reader));
        // The token is single-use.
        var again = await anonymous.PostAsync("digest/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        var result = await server.App.Services.GetRequiredService<DigestRunner>().SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));
        Assert.Equal((DigestOutcome.Complete, 1, 1), (result.Outcome, result.Recipients, result.Sent));

        var mails = await MailInbox.WaitForAsync(reader, 2);
        Assert.Equal(2, mails.Count);
        var digest = mails[1];
        var id = await IdAsync(server, reader);

        // Both parts, trending papers in upvote order with TeX made readable, then the personal matches.
        Assert.NotNull(digest.TextBody);
        Assert.NotNull(digest.HtmlBody);
        var text = digest.TextBody;
        int first = text.IndexOf("Bounds on α-divergences for ℝ", StringComparison.Ordinal) is var i and >= 0 ? i : text.IndexOf("Bounds on α-divergences", StringComparison.Ordinal);
        Assert.True(first >= 0, text);
        Assert.True(first < text.IndexOf("Graph networks for parsing", StringComparison.Ordinal));
        Assert.True(text.IndexOf("Graph networks for parsing", StringComparison.Ordinal) < text.IndexOf("Seeing in the dark", StringComparison.Ordinal));
        Assert.DoesNotContain("$", text);
        Assert.DoesNotContain(@"\alpha", text);
        Assert.Contains("Matching your interests", text);
        foreach (var match in new[] { "Protein folding with transformers", "Sparse matrix sketching", "Schedules for annealers" })
        {
            Assert.Contains(match, text);
            Assert.Contains(match, digest.HtmlBody);
        }
        Assert.DoesNotContain("Nothing to see", text);
        Assert.Contains($"{Base}/papers/1912.00001", text);
        Assert.Contains($"href=\"{Base}/papers/1912.00001\"", digest.HtmlBody);
        Assert.DoesNotContain("<img", digest.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", digest.HtmlBody, StringComparison.OrdinalIgnoreCase);

        // Headers: RFC 8058 one-click unsubscribe (HTTPS and mailto), a stable Message-ID.
        var listUnsubscribe = digest.Headers[HeaderId.ListUnsubscribe];
        Assert.Matches($@"^<{Regex.Escape(Base)}/digest/unsubscribe/{id}/[A-Za-z0-9_-]+>, *<mailto:[^>]+>$", (listUnsubscribe ?? "").Replace("\r\n", "").Replace("\n", ""));
        Assert.Equal("List-Unsubscribe=One-Click", digest.Headers[HeaderId.ListUnsubscribePost]);
        Assert.Equal($"digest.daily.2019-12-02.{id}@papers.example.test", digest.MessageId);

        // The unconfirmed address got the confirmation and nothing else.
        var lurkerMail = await MailInbox.ForAsync(lurker);
        Assert.Single(lurkerMail);
        Assert.Contains("Confirm", lurkerMail[0].Subject);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task OneClickUnsubscribeByCookielessPostWhileGetAndHeadChangeNothing(string engine)
    {
        await using var server = await StartAsync(engine);
        await DigestTestData.SeedPapersAsync(server.Database.Settings, DigestTestData.Day);
        await DigestTestData.SeedPapersAsync(server.Database.Settings, DigestTestData.NextDay, "1912.1");
        var address = MailInbox.NewAddress("leaver");
        await DigestTestData.AddConfirmedAsync(server.Database.Settings, [address]);
        var runner = server.App.Services.GetRequiredService<DigestRunner>();

        await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));
        var digest = Assert.Single(await MailInbox.WaitForAsync(address, 1));
        var url = UrlInAngles().Matches(digest.Headers[HeaderId.ListUnsubscribe] ?? "").Select(m => m.Groups[1].Value).First(u => u.StartsWith("https://"));
        var path = url[Base.Length..];

        using var mailClient = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await mailClient.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mailClient.SendAsync(new HttpRequestMessage(HttpMethod.Head, path))).StatusCode);
        Assert.Equal(SubscriptionState.Confirmed, await StateAsync(server, address));

        // A forged signature does nothing.
        var forged = await mailClient.PostAsync(path[..path.LastIndexOf('/')] + "/AAAA", new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Equal(SubscriptionState.Confirmed, await StateAsync(server, address));

        var post = await mailClient.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(SubscriptionState.Unsubscribed, await StateAsync(server, address));

        var next = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.NextDay));
        Assert.Equal(0, next.Recipients);
        await Task.Delay(500);
        Assert.Single(await MailInbox.ForAsync(address));
    }

    [Fact]
    public async Task CrLfInDisplayNameOrSubjectCreatesNoExtraHeaders()
    {
        await using var server = await StartAsync(TestDatabase.Sqlite, c => c["Mail:FromName"] = "DailyPapers\r\nBcc: injected-from@evil.test");
        await DigestTestData.SeedPapersAsync(server.Database.Settings);
        await using (var ctx = server.Database.Settings.CreateContext())
            await ctx.Papers.Where(p => p.ArxivId == "1912.00001").ExecuteUpdateAsync(u => u.SetProperty(p => p.Title, "Evil title\r\nX-Injected: yes\r\nBcc: injected-subject@evil.test"));
        var address = MailInbox.NewAddress("crlf");
        await DigestTestData.AddConfirmedAsync(server.Database.Settings, [address]);

        await server.App.Services.GetRequiredService<DigestRunner>().SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));
        Assert.Single(await MailInbox.WaitForAsync(address, 1));
        var raw = await MailInbox.RawAsync(address);
        var headerBlock = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];

        Assert.DoesNotMatch(@"(?im)^X-Injected:", headerBlock);
        Assert.DoesNotMatch(@"(?im)^Bcc:", headerBlock);
        Assert.Empty(await MailInbox.ForAsync("injected-from@evil.test"));
        Assert.Empty(await MailInbox.ForAsync("injected-subject@evil.test"));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task InvalidSubscribeFormIsRejectedWithAReadablePageAndNoMail(string engine)
    {
        await using var server = await StartAsync(engine);
        var (token, _) = await FormTokenAsync(server, "subscribe");
        var response = await server.Client.PostAsync("subscribe", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Email"] = "not an address\r\nBcc: x@evil.test", ["Frequency"] = "hourly", ["Categories"] = "not/a/category",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Enter an email address", html);
        Assert.Contains("Choose daily or weekly", html);
        await using var ctx = server.Database.Settings.CreateContext();
        Assert.False(await ctx.Set<Subscription>().AnyAsync());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AnExpiredConfirmationTokenConfirmsNothing(string engine)
    {
        await using var server = await StartAsync(engine);
        var address = MailInbox.NewAddress("late");
        await SubscribeAsync(server, address);
        var link = ConfirmLink().Match(Assert.Single(await MailInbox.WaitForAsync(address, 1)).TextBody ?? "").Value;
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=") + 6)..]);
        await using (var ctx = server.Database.Settings.CreateContext())
            await ctx.Set<Subscription>().Where(s => s.Email == address).ExecuteUpdateAsync(u => u.SetProperty(s => s.ConfirmTokenExpiresAt, DateTime.UtcNow.AddMinutes(-1)));

        var post = await server.Client.PostAsync("digest/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));

        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Contains("expired", await post.Content.ReadAsStringAsync());
        Assert.Equal(SubscriptionState.Unconfirmed, await StateAsync(server, address));
    }

    [Fact]
    public async Task SubscribingWhileSmtpIsDownShowsAReadableErrorAndARetrySendsTheConfirmation()
    {
        await using var down = SmtpSink.Start();
        down.Stop();
        await using var server = await StartAsync(TestDatabase.Sqlite, c => c["Mail:Port"] = down.Port.ToString());
        var (token, _) = await FormTokenAsync(server, "subscribe");
        var response = await server.Client.PostAsync("subscribe", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Email"] = "patient@sink.test", ["Frequency"] = "weekly",
        }));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not be sent just now", await response.Content.ReadAsStringAsync());
        Assert.Equal(SubscriptionState.Unconfirmed, await StateAsync(server, "patient@sink.test"));

        down.Restart();
        var retry = await server.Client.PostAsync("subscribe", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Email"] = "patient@sink.test", ["Frequency"] = "weekly",
        }));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Contains("Confirm", Assert.Single(down.Messages).Header("Subject"));
    }

    private static async Task SubscribeAsync(TestServer server, string email, string categories = "", string keywords = "", string authors = "")
    {
        var (token, _) = await FormTokenAsync(server, "subscribe");
        var response = await server.Client.PostAsync("subscribe", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Email"] = email, ["Frequency"] = "daily",
            ["Categories"] = categories, ["Keywords"] = keywords, ["Authors"] = authors,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Check your inbox", await response.Content.ReadAsStringAsync());
    }

    private static async Task<(string Token, string Html)> FormTokenAsync(TestServer server, string path)
    {
        var html = await server.Client.GetStringAsync(path);
        return (AntiforgeryField().Match(html).Groups[1].Value, html);
    }

    private static async Task<SubscriptionState> StateAsync(TestServer server, string email)
    {
        await using var ctx = server.Database.Settings.CreateContext();
        return (await ctx.Set<Subscription>().SingleAsync(s => s.Email == email)).State;
    }

    private static async Task<long> IdAsync(TestServer server, string email)
    {
        await using var ctx = server.Database.Settings.CreateContext();
        return (await ctx.Set<Subscription>().SingleAsync(s => s.Email == email)).Id;
    }

    [GeneratedRegex(@"https://papers\.example\.test/digest/confirm\?token=[A-Za-z0-9_%-]+")]
    private static partial Regex ConfirmLink();

    [GeneratedRegex(@"<([^>]+)>")]
    private static partial Regex UrlInAngles();

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex AntiforgeryField();
}
