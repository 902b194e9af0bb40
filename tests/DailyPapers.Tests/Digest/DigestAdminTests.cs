using System.Net;
using System.Text.RegularExpressions;
using DailyPapers.Cli;
using DailyPapers.Digest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace DailyPapers.Tests.Digest;

/// <summary>The admin page (token-guarded), the preferences page and the CLI verb: other entry points to the same operations.</summary>
public sealed partial class DigestAdminTests
{
    private const string AdminToken = "test-admin-token-5f1c";

    private static Task<TestServer> StartAsync(string engine, string? adminToken) =>
        TestServer.StartAsync(engine, b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = MailInbox.SmtpPort.ToString(),
            ["Mail:Tls"] = "None",
            ["Digest:PublicBaseUrl"] = "https://papers.example.test",
            ["Digest:SchedulerEnabled"] = "false",
            ["Digest:SchedulerIntervalSeconds"] = "1",
            ["Admin:Token"] = adminToken,
        }));

    [Fact]
    public async Task WithoutAConfiguredTokenAnonymousVisitorsAreSentToTheLoginPage()
    {
        await using var server = await StartAsync(TestDatabase.Sqlite, null);
        var page = await server.Client.GetAsync("admin/digest");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client.GetAsync("admin/digest/preview")).StatusCode);
    }

    [Fact]
    public async Task ASignedInAdminReachesTheDigestAdminWithoutAToken()
    {
        await using var server = await StartAsync(TestDatabase.Sqlite, null);
        var admin = Community.CommunityKit.UniqueEmail("digest-admin");
        var member = Community.CommunityKit.UniqueEmail("digest-member");
        await Community.CommunityKit.CreateMemberAsync(server, admin, role: DailyPapers.Community.Roles.Admin);
        await Community.CommunityKit.CreateMemberAsync(server, member);

        var asAdmin = await Community.CommunityKit.LoggedInClientAsync(server, admin);
        var asMember = await Community.CommunityKit.LoggedInClientAsync(server, member);

        var page = await asAdmin.GetAsync("admin/digest");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("send", (await page.Content.ReadAsStringAsync()).ToLowerInvariant());
        var denied = await asMember.GetAsync("admin/digest");
        Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Forbidden, (await asMember.GetAsync(denied.Headers.Location)).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AdminSignsInWithTheTokenPreviewsSendsNowAndSeesTheRun(string engine)
    {
        await using var server = await StartAsync(engine, AdminToken);
        await DigestTestData.SeedPapersAsync(server.Database.Settings);
        var address = MailInbox.NewAddress("admin-run");
        await DigestTestData.AddConfirmedAsync(server.Database.Settings, [address], categories: "q-bio");

        var anonymous = await server.Client.GetStringAsync("admin/digest");
        Assert.Contains("Enter the admin token", anonymous);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client.GetAsync("admin/digest/preview")).StatusCode);

        var wrong = await server.Client.PostAsync("admin/digest?handler=Login", Form(anonymous, ("token", "nope")));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        var login = await server.Client.PostAsync("admin/digest?handler=Login", Form(anonymous, ("token", AdminToken)));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

        var previewResponse = await server.Client.GetAsync($"admin/digest/preview?email={Uri.EscapeDataString(address)}&frequency=daily");
        Assert.StartsWith("default-src 'none'", previewResponse.Headers.GetValues("Content-Security-Policy").Single());
        var preview = await previewResponse.Content.ReadAsStringAsync();
        Assert.Contains("Bounds on α-divergences", preview);
        Assert.Contains("Protein folding with transformers", preview); // the subscriber's category match

        var page = await server.Client.GetStringAsync("admin/digest");
        Assert.Contains("1 confirmed", page);
        var send = await server.Client.PostAsync("admin/digest?handler=Send", Form(page, ("frequency", "daily"), ("date", "2019-12-02")));
        Assert.Equal(HttpStatusCode.Redirect, send.StatusCode);

        Assert.Single(await MailInbox.WaitForAsync(address, 1));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string history;
        do { await Task.Delay(200); history = await server.Client.GetStringAsync("admin/digest"); }
        while (!history.Contains("<td>Complete</td>") && DateTime.UtcNow < deadline);
        Assert.Contains("<td>daily:2019-12-02</td><td>Complete</td>", history);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task PreferencesLinkChangesWhatIsReceivedAndRefusesBadInputOrForgedLinks(string engine)
    {
        await using var server = await StartAsync(engine, null);
        var id = (await DigestTestData.AddConfirmedAsync(server.Database.Settings, [MailInbox.NewAddress("prefs")], categories: "cs.CL"))[0];
        var url = server.App.Services.GetRequiredService<DigestLinks>().PreferencesUrl(id);
        var path = new Uri(url).PathAndQuery.TrimStart('/');

        var form = await server.Client.GetStringAsync(path);
        Assert.Contains("value=\"cs.CL\"", form);

        var bad = await server.Client.PostAsync(path, Form(form, ("Frequency", "weekly"), ("Categories", "no such/thing")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var ok = await server.Client.PostAsync(path, Form(form, ("Frequency", "weekly"), ("Categories", "stat.ML cs"), ("Authors", "Ada Lovelace\nAlan Turing")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(path[..path.LastIndexOf('/')] + "/forged")).StatusCode);

        await using var ctx = server.Database.Settings.CreateContext();
        var sub = await ctx.Set<Subscription>().SingleAsync(s => s.Id == id);
        Assert.Equal((DigestFrequency.Weekly, "stat.ML cs", "Ada Lovelace\nAlan Turing"), (sub.Frequency, sub.Categories, sub.Authors));
    }

    [Fact]
    public async Task CliDryRunWritesMessagesAndABadDateIsAClearError()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await DigestTestData.SeedPapersAsync(db.Settings);
        await DigestTestData.AddConfirmedAsync(db.Settings, ["cli1@dry.test", "cli2@dry.test"]);
        var output = Path.Combine(db.DataDir, "out");

        var ok = await CliApp.RunAsync(["digest", "send", "--data-dir", db.DataDir, "--frequency", "daily", "--date", "2019-12-02", "--dry-run", "--out", output]);
        Assert.Equal(0, ok);
        Assert.Equal(2, Directory.GetFiles(output, "*.eml").Length);

        var bad = await CliApp.RunAsync(["digest", "send", "--data-dir", db.DataDir, "--date", "2019-13-45", "--dry-run", "--out", output]);
        Assert.NotEqual(0, bad);
    }

    private static FormUrlEncodedContent Form(string html, params (string Name, string Value)[] fields)
    {
        var values = new Dictionary<string, string> { ["__RequestVerificationToken"] = AntiforgeryField().Match(html).Groups[1].Value };
        foreach (var (n, v) in fields) values[n] = v;
        return new FormUrlEncodedContent(values);
    }

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex AntiforgeryField();
}
