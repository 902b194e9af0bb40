using System.Net;
using DailyPapers.Community;
using DailyPapers.Tests.Support;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

public sealed class AccountTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SignUpSendsConfirmationMailAndConfirmedMemberCanLogIn(string engine)
    {
        await using var server = await StartAsync(engine);
        var client = NewClient(server);
        var email = UniqueEmail("signup");
        var res = await PostFormAsync(client, "/account/signup", "/account/signup", new() { ["email"] = email, ["displayName"] = "Ada", ["password"] = Password });
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Contains("Check your mail", await res.Content.ReadAsStringAsync());

        // Before confirming, the right password still doesn't get in.
        var early = await PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = Password });
        Assert.Equal(HttpStatusCode.Forbidden, early.StatusCode);

        var (subject, body) = await WaitForMailAsync(email);
        Assert.Contains("Confirm", subject);
        var link = LinkIn(body);
        Assert.StartsWith("/account/confirm?", link);
        // Opening the link changes nothing (GET); the button on the page confirms.
        var confirm = await PostFormAsync(client, link, link, []);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("confirmed", await confirm.Content.ReadAsStringAsync());

        var login = await PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = Password, ["returnUrl"] = "/papers/trending" });
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/papers/trending", login.Headers.Location!.OriginalString);
        var home = await client.GetStringAsync("/papers/trending");
        Assert.Contains("Log out", home);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task PasswordResetByMailSetsANewPasswordAndTheLinkWorksOnce(string engine)
    {
        await using var server = await StartAsync(engine);
        var email = UniqueEmail("reset");
        await CreateMemberAsync(server, email);
        var client = NewClient(server);
        var res = await PostFormAsync(client, "/account/forgot", "/account/forgot", new() { ["email"] = email });
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var (_, body) = await WaitForMailAsync(email, "Reset");
        var link = LinkIn(body);
        const string newPassword = "a brand new passphrase";
        var reset = await PostFormAsync(client, link, link, new() { ["password"] = newPassword });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var again = await PostFormAsync(client, link, link, new() { ["password"] = "yet another passphrase" });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);

        var old = await PostFormAsync(NewClient(server), "/account/login", "/account/login", new() { ["email"] = email, ["password"] = Password });
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        var fresh = await PostFormAsync(NewClient(server), "/account/login", "/account/login", new() { ["email"] = email, ["password"] = newPassword });
        Assert.Equal(HttpStatusCode.Redirect, fresh.StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task LoginResetAndSignUpAnswerTheSameWhetherOrNotTheAddressExists(string engine)
    {
        await using var server = await StartAsync(engine);
        var known = UniqueEmail("known");
        var unknown = UniqueEmail("unknown");
        await CreateMemberAsync(server, known);

        async Task<(HttpStatusCode, string)> Answer(string page, Dictionary<string, string> fields)
        {
            var r = await PostFormAsync(NewClient(server), page, page, fields);
            var html = await r.Content.ReadAsStringAsync();
            // Compare the message block only: the page also carries a fresh antiforgery token.
            var start = html.IndexOf("<section class=\"account\">", StringComparison.Ordinal);
            var end = html.IndexOf("<form", start, StringComparison.Ordinal);
            return (r.StatusCode, html[start..end]);
        }

        Assert.Equal(await Answer("/account/login", new() { ["email"] = known, ["password"] = "wrong password here" }),
                     await Answer("/account/login", new() { ["email"] = unknown, ["password"] = "wrong password here" }));
        Assert.Equal(await Answer("/account/forgot", new() { ["email"] = known }),
                     await Answer("/account/forgot", new() { ["email"] = unknown }));
        var signKnown = await PostFormAsync(NewClient(server), "/account/signup", "/account/signup", new() { ["email"] = known, ["displayName"] = "X", ["password"] = Password });
        var signUnknown = await PostFormAsync(NewClient(server), "/account/signup", "/account/signup", new() { ["email"] = unknown, ["displayName"] = "X", ["password"] = Password });
        Assert.Equal(signKnown.StatusCode, signUnknown.StatusCode);
        Assert.Contains(SignUpNotice, await signKnown.Content.ReadAsStringAsync());
        Assert.Contains(SignUpNotice, await signUnknown.Content.ReadAsStringAsync());
        // The owner of the known address hears about it by mail instead.
        var (subject, _) = await WaitForMailAsync(known, "Your DailyPapers account");
        Assert.Contains("account", subject);
    }

    private static string SignUpNotice => System.Net.WebUtility.HtmlEncode(DailyPapers.Pages.Account.SignUpModel.SentNotice).Replace("&#x27;", "'");

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task CrossSitePostWithoutAntiforgeryTokenIsRefused(string engine)
    {
        await using var server = await StartAsync(engine);
        var ids = await SeedPapersAsync(server, 1);
        var email = UniqueEmail("csrf");
        await CreateMemberAsync(server, email);
        var client = await LoggedInClientAsync(server, email);
        // A forged form from another site carries the cookies but not the token.
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/vote/2501.00001") { Content = new FormUrlEncodedContent(new Dictionary<string, string>()) };
        forged.Headers.Add("Origin", "https://evil.example");
        var res = await client.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(0, db.Set<Vote>().Count());
        Assert.Equal(0, db.Papers.Single(p => p.Id == ids[0]).Upvotes);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task BruteForceFromOneAddressGets429WhileTheOwnerLogsInFromAnother(string engine)
    {
        await using var server = await StartAsync(engine, b => b.Configuration["Community:TrustForwardedHeaders"] = "true");
        var email = UniqueEmail("victim");
        await CreateMemberAsync(server, email);
        var attacker = NewClient(server, forwardedFor: "203.0.113.7");
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 8; i++)
            statuses.Add((await PostFormAsync(attacker, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = $"guess number {i}" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, statuses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        // Even the right password is refused from the attacking address now...
        var attackerRight = await PostFormAsync(attacker, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, attackerRight.StatusCode);
        // ...while the owner, elsewhere, gets in.
        var owner = NewClient(server, forwardedFor: "198.51.100.20");
        var ok = await PostFormAsync(owner, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = Password });
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TooManyLoginPostsFromOneAddressAcrossAccountsGet429(string engine)
    {
        await using var server = await StartAsync(engine, b =>
        {
            b.Configuration["Community:TrustForwardedHeaders"] = "true";
            b.Configuration["Community:AuthAttemptsPerIpPerMinute"] = "5";
        });
        var sprayer = NewClient(server, forwardedFor: "203.0.113.9");
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 7; i++)
            statuses.Add((await PostFormAsync(sprayer, "/account/login", "/account/login", new() { ["email"] = UniqueEmail("spray"), ["password"] = "some password" })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        var other = NewClient(server, forwardedFor: "198.51.100.30");
        var res = await PostFormAsync(other, "/account/login", "/account/login", new() { ["email"] = UniqueEmail("x"), ["password"] = "some password" });
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ResetRequestsFromManyAddressesCannotFloodOneInbox(string engine)
    {
        await using var server = await StartAsync(engine, b =>
        {
            b.Configuration["Community:TrustForwardedHeaders"] = "true";
            b.Configuration["Community:MailsPerAccountPerHour"] = "2";
        });
        var email = UniqueEmail("flood");
        await CreateMemberAsync(server, email);
        for (int i = 0; i < 4; i++)
        {
            var res = await PostFormAsync(NewClient(server, forwardedFor: $"192.0.2.{i + 1}"), "/account/forgot", "/account/forgot", new() { ["email"] = email });
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            Assert.Contains("If an account exists", await res.Content.ReadAsStringAsync());
        }
        await WaitForMailAsync(email);
        await Task.Delay(500); // smtp4dev lists a message shortly after accepting it
        Assert.Equal(2, await CountMailsAsync(email));
    }

    [Fact]
    public void PasswordRulesNeedEightCharactersAllowLongOnesAndRefuseCommonOnes()
    {
        Assert.NotNull(PasswordRules.Check("short"));
        Assert.NotNull(PasswordRules.Check("password123"));
        Assert.NotNull(PasswordRules.Check("PassWord1"));
        Assert.Null(PasswordRules.Check("all lowercase words are fine"));
        Assert.Null(PasswordRules.Check(new string('x', 64) + "y"));
        Assert.Null(PasswordRules.Check(new string('q', 128)));
        Assert.NotNull(PasswordRules.Check(new string('q', 129)));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task BehindATlsProxyEveryCookieIsHostPrefixedSecureHttpOnlyAndLax(string engine)
    {
        await using var server = await StartAsync(engine, b => b.Configuration["Community:TrustForwardedHeaders"] = "true");
        var email = UniqueEmail("tls");
        await CreateMemberAsync(server, email);
        var client = NewClient(server);
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var page = await client.GetAsync("/account/login");
        var html = await page.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var afCookie = page.Headers.GetValues("Set-Cookie").Single();
        // The cookie jar won't send Secure cookies over the test's plain HTTP, so send it by hand, as a browser would over TLS.
        using var login = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = email, ["password"] = Password, ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) }),
        };
        login.Headers.Add("Cookie", afCookie.Split(';')[0]);
        var res = await NewClient(server).SendAsync(WithProto(login));
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        var cookies = page.Headers.GetValues("Set-Cookie").Concat(res.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith("__Host-dp.af=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("__Host-dp.auth=", StringComparison.Ordinal));
        foreach (var c in cookies)
        {
            Assert.True(HostPrefixedCookies.IsValidHostCookie(c), c);
            Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=lax", c, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static HttpRequestMessage WithProto(HttpRequestMessage m)
    {
        m.Headers.Add("X-Forwarded-Proto", "https");
        return m;
    }

    [Fact]
    public async Task CookiesOverHttpsGetTheHostPrefixAndSecureFlag()
    {
        var ctx = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        ctx.Request.IsHttps = true;
        ctx.Request.Headers.Cookie = "__Host-dp.auth=good; dp.auth=planted; other=1";
        string? seen = null;
        var feature = new StartingFeature();
        ctx.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(feature);
        var mw = new HostPrefixedCookies(c =>
        {
            seen = c.Request.Headers.Cookie;
            c.Response.Headers.SetCookie = "dp.auth=new; path=/; secure; samesite=lax; httponly";
            return Task.CompletedTask;
        });
        await mw.InvokeAsync(ctx);
        await feature.StartAsync();
        Assert.Equal("dp.auth=good; other=1", seen);
        var set = ctx.Response.Headers.SetCookie.ToString();
        Assert.StartsWith("__Host-dp.auth=new", set);
        Assert.True(HostPrefixedCookies.IsValidHostCookie(set));
    }

    private sealed class StartingFeature : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];
        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Add((callback, state));
        public async Task StartAsync() { foreach (var (c, s) in _starting) await c(s); }
    }
}
