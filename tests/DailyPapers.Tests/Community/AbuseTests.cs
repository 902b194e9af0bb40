using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DailyPapers.Community;
using DailyPapers.Tests.Digest;
using DailyPapers.Tests.Support;
using Microsoft.Extensions.Options;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

/// <summary>What a hostile client tries: posing as many clients, flooding inboxes, forged forms, control characters.</summary>
public sealed class AbuseTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ForwardedForFromAPeerThatIsNotAKnownProxyDoesNotEvadeTheLoginLimiter(string engine)
    {
        await using var server = await StartAsync(engine, b =>
        {
            b.Configuration["Community:TrustForwardedHeaders"] = "true";
            // The proxy is elsewhere: this test's client, on loopback, is an ordinary untrusted peer.
            b.Configuration["Community:KnownProxies:0"] = "192.0.2.1";
        });
        var email = UniqueEmail("spoofed");
        await CreateMemberAsync(server, email);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 30; i++)
        {
            // A new client and a new made-up address for every guess.
            var client = NewClient(server, forwardedFor: $"203.0.113.{i + 1}");
            statuses.Add((await PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = $"guess {i}" })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.BadRequest, statuses[0]);
        Assert.Equal(25, statuses.Count(s => s == HttpStatusCode.TooManyRequests)); // 5 guesses per account and address
    }

    [Fact]
    public async Task AKnownProxyThatIsNotAnAddressStopsTheServerFromStarting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(TestDatabase.Sqlite, b =>
        {
            b.Configuration["Community:TrustForwardedHeaders"] = "true";
            b.Configuration["Community:KnownNetworks:0"] = "10.0.0.0/33";
        }));
        Assert.Contains("10.0.0.0/33", ex.Message);
    }

    private static Task<HttpResponseMessage> SubscribeAsync(HttpClient client, string email) =>
        PostFormAsync(client, "/subscribe", "/subscribe", new() { ["Email"] = email, ["Frequency"] = "daily" });

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SimultaneousSubscriptionsOfOneAddressSendExactlyOneConfirmation(string engine)
    {
        // Each request from its own (forwarded) address, so only the per-recipient rule can hold the mails back.
        await using var server = await StartAsync(engine, b => b.Configuration["Community:TrustForwardedHeaders"] = "true");
        var victim = MailInbox.NewAddress("victim");
        var clients = Enumerable.Range(0, 20).Select(i => NewClient(server, forwardedFor: $"198.51.100.{i + 1}")).ToList();
        // Each client fetches its form first; then all post at once.
        var forms = await Task.WhenAll(clients.Select(c => c.GetStringAsync("/subscribe")));
        var posts = clients.Select((c, i) =>
        {
            var token = System.Text.RegularExpressions.Regex.Match(forms[i], "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            return c.PostAsync("/subscribe", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = victim, ["Frequency"] = "daily", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            }));
        });
        var answers = await Task.WhenAll(posts);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode)); // every one sees the same page
        Assert.Single(await MailInbox.WaitForAsync(victim, 1));
        await Task.Delay(500); // smtp4dev lists a message a moment after accepting it: let any second one show up
        Assert.Single(await MailInbox.ForAsync(victim));

        // Later, from yet another address: still within 15 minutes of the link, so still nothing new.
        Assert.Equal(HttpStatusCode.OK, (await SubscribeAsync(NewClient(server, forwardedFor: "198.51.100.99"), victim)).StatusCode);
        Assert.Single(await MailInbox.ForAsync(victim));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SubscribingFromOneAddressIsLimitedLikeSignUpWithTheRealWait(string engine)
    {
        await using var server = await StartAsync(engine, b => b.Configuration["Community:MailsPerIpPerHour"] = "3");
        var client = NewClient(server);
        for (int i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await SubscribeAsync(client, MailInbox.NewAddress("flood"))).StatusCode);

        var over = await SubscribeAsync(client, MailInbox.NewAddress("flood"));

        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.InRange(over.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 3500, 3600);
        var html = await over.Content.ReadAsStringAsync();
        Assert.Contains("<section class=\"problem\"", html); // the site's styled status page, not bare text
        Assert.Contains("3 an hour", html);
        Assert.Contains("Try again in 60 minutes", html);
        // Sign-up draws on the same budget.
        var signUp = await PostFormAsync(client, "/account/signup", "/account/signup", new() { ["email"] = UniqueEmail("late"), ["displayName"] = "Late", ["password"] = Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, signUp.StatusCode);
    }

    [Fact]
    public async Task TheLoginLockSaysItsRealWaitOfFifteenMinutes()
    {
        await using var server = await StartAsync(TestDatabase.Sqlite);
        var email = UniqueEmail("locked");
        await CreateMemberAsync(server, email);
        var client = NewClient(server);
        for (int i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.BadRequest, (await PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = $"guess {i}" })).StatusCode);

        var locked = await PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.InRange(locked.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 840, 900);
        var html = await locked.Content.ReadAsStringAsync();
        Assert.Contains("Try again in 15 minutes", html);
        Assert.DoesNotContain("a minute", html);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task OverTheCommentLimitTheTypedTextComesBackInTheFormAndTheApiSaysTheWait(string engine)
    {
        await using var server = await StartAsync(engine, b => b.Configuration["Community:CommentsPerUserPer10Minutes"] = "1");
        var ids = await SeedPapersAsync(server, 1);
        var email = UniqueEmail("typist");
        var member = await CreateMemberAsync(server, email);
        var client = await LoggedInClientAsync(server, email);
        var first = await PostFormAsync(client, "/papers/2501.00001", "/comments/new", new() { ["paperId"] = ids[0].ToString(), ["body"] = "first" });
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);

        const string typed = "A long, careful reply about $\\alpha$ <b>that must not be lost</b>";
        var over = await PostFormAsync(client, "/papers/2501.00001", "/comments/new", new() { ["paperId"] = ids[0].ToString(), ["body"] = typed });

        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.InRange(over.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 540, 600);
        var html = await over.Content.ReadAsStringAsync();
        Assert.Contains("Try again in 10 minutes", html);
        Assert.Contains("<form class=\"comment-form\" method=\"post\" action=\"/comments/new\"", html);
        Assert.Contains($"name=\"paperId\" value=\"{ids[0]}\"", html);
        Assert.Contains(WebUtility.HtmlEncode(typed).Replace("&#x27;", "'"), html.Replace("&#x27;", "'"));
        Assert.Contains("name=\"__RequestVerificationToken\"", html); // the form can be sent again as it is

        // The API shares the budget and says the same wait as problem details.
        string token;
        await using (var db = server.Database.Settings.CreateContext())
            (_, token) = await DailyPapers.Api.ApiTokens.CreateAsync(db, member.Id, "script", DailyPapers.Api.ApiScope.Write);
        using var api = new HttpClient { BaseAddress = server.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var res = await api.PostAsJsonAsync("api/v1/papers/2501.00001/comments", new { markdown = "from a script" });
        Assert.Equal(HttpStatusCode.TooManyRequests, res.StatusCode);
        Assert.InRange(res.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 540, 600);
        var problem = await res.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Try again in 10 minutes", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("no token")]
    [InlineData("wrong token")]
    public async Task AFormWithoutAValidAntiforgeryTokenGets403AndAReadablePage(string kind)
    {
        await using var server = await StartAsync(TestDatabase.Sqlite);
        var client = NewClient(server);
        await client.GetAsync("/account/login"); // the antiforgery cookie is set
        var fields = new Dictionary<string, string> { ["email"] = "a@example.org", ["password"] = "whatever it is" };
        if (kind == "wrong token") fields["__RequestVerificationToken"] = "CfDJ8-not-a-token";

        var res = await client.PostAsync("/account/login", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
        var html = await res.Content.ReadAsStringAsync();
        Assert.Contains("<section class=\"problem\"", html);
        Assert.Contains("reload the page and send it again", html);
    }

    [Fact]
    public async Task ABodyThatIsNotAReadableFormIsA400WithAPage()
    {
        // The form reader refuses %00; no token could be read, so this is not a forged form but a bad request.
        await using var server = await StartAsync(TestDatabase.Sqlite);
        var client = NewClient(server);
        var res = await client.PostAsync("/account/login", new StringContent("email=a%00b&password=x", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Contains("<section class=\"problem\"", await res.Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task DisplayNamesWithLineBreaksOrControlCharactersAreRefusedAtSignUp(string engine)
    {
        await using var server = await StartAsync(engine);
        foreach (var bad in new[] { "Eve\r\nBcc: all@example.org", "Eve\nSmith", "Eve\tX", "Eve\u0007", "Eve\u202Eevil", "Eve\u2028X", " \r\n " })
        {
            var email = UniqueEmail("ctl");
            var res = await PostFormAsync(NewClient(server), "/account/signup", "/account/signup", new() { ["email"] = email, ["displayName"] = bad, ["password"] = Password });
            Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
            await using var db = server.Database.Settings.CreateContext();
            Assert.False(db.Users.Any(u => u.Email == email), $"an account was made for {bad}");
        }
        var ok = await PostFormAsync(NewClient(server), "/account/signup", "/account/signup", new() { ["email"] = UniqueEmail("ok"), ["displayName"] = "  Ada Lovelace-Byron, née é  ", ["password"] = Password });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("Check your mail", await ok.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Ada", "Ada")]
    [InlineData("  Grace Hopper ", "Grace Hopper")]
    [InlineData("Zoë 👩‍🔬", "Zoë 👩‍🔬")] // zero-width joiner inside an emoji sequence is fine
    public void GoodDisplayNamesAreKeptTrimmedAndNormalised(string input, string stored)
    {
        Assert.Null(DisplayNames.Check(input, out var name));
        Assert.Equal(stored, name);
    }

    [Theory]
    [InlineData("a\rb")]
    [InlineData("a\u0085b")] // NEL, a C1 control
    [InlineData("a\u200Fb")] // right-to-left mark
    [InlineData("")]
    public void BadDisplayNamesGetAReason(string input)
    {
        Assert.NotNull(DisplayNames.Check(input, out _));
        Assert.NotNull(DisplayNames.Check(new string('x', 65), out _));
        Assert.NotNull(DisplayNames.Check("a" + (char)0xD800 + "b", out _)); // an unpaired surrogate (theory data can't carry one)
    }
}
