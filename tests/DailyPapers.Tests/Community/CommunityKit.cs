using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DailyPapers.Community;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.AspNetCore.Identity;

namespace DailyPapers.Tests.Community;

/// <summary>Starts the app with test mail settings and gives browser-like clients (cookie jar, antiforgery tokens).</summary>
public static partial class CommunityKit
{
    public const string Password = "correct horse battery staple";

    public static Task<TestServer> StartAsync(string engine, Action<WebApplicationBuilder>? configure = null) =>
        TestServer.StartAsync(engine, b =>
        {
            b.Configuration["Mail:Host"] = "127.0.0.1";
            b.Configuration["Mail:Port"] = Environment.GetEnvironmentVariable("DAILYPAPERS_TEST_SMTP_PORT") ?? "2525";
            b.Configuration["Mail:Tls"] = "None";
            // Hashing cost is not under test here; 210,000 iterations per login would dominate the suite's time.
            b.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
            configure?.Invoke(b);
        });

    public static string UniqueEmail(string tag) => $"{tag}-{Guid.NewGuid():N}@community.test";

    public static HttpClient NewClient(TestServer server, string? forwardedFor = null)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true };
        var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        if (forwardedFor is not null) client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    /// <summary>GETs a page and POSTs a form to <paramref name="action"/> with the page's antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string page, string action, Dictionary<string, string> fields, Dictionary<string, string>? headers = null)
    {
        var html = await (await client.GetAsync(page)).Content.ReadAsStringAsync();
        var m = TokenPattern().Match(html);
        Assert.True(m.Success, $"no antiforgery token on {page}");
        var all = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(m.Groups[1].Value) };
        using var req = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(all) };
        foreach (var (k, v) in headers ?? []) req.Headers.Add(k, v);
        return await client.SendAsync(req);
    }

    /// <summary>A confirmed member created directly (the sign-up flow has its own test).</summary>
    public static async Task<AppUser> CreateMemberAsync(TestServer server, string email, string displayName = "Tester", string? role = null)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName };
        var r = await users.CreateAsync(user, Password);
        Assert.True(r.Succeeded, string.Join(" ", r.Errors.Select(e => e.Description)));
        if (role is not null)
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }
        return user;
    }

    public static async Task<HttpClient> LoggedInClientAsync(TestServer server, string email, string? forwardedFor = null)
    {
        var client = NewClient(server, forwardedFor);
        var res = await PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = Password });
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        return client;
    }

    public static async Task<List<long>> SeedPapersAsync(TestServer server, int count, DateOnly? listing = null)
    {
        var upsert = server.App.Services.GetRequiredService<PaperUpsert>();
        var day = listing ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var records = Enumerable.Range(1, count).Select(i => Record($"2501.{i:00000}", day)).ToList();
        await upsert.UpsertAsync(records);
        await using var db = server.Database.Settings.CreateContext();
        return records.Select(r => db.Papers.Single(p => p.ArxivId == r.ArxivId).Id).ToList();
    }

    public static PaperRecord Record(string id, DateOnly day, DateTime? submitted = null) => new()
    {
        ArxivId = id,
        Title = $"A study of $x^2$ number {id}",
        Abstract = "We study things.",
        Authors = [new AuthorName("Ada Lovelace")],
        Categories = ["cs.LG"],
        Versions = [new VersionInfo(1, submitted ?? day.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc))],
        AnnouncedOn = day,
    };

    /// <summary>Waits for smtp4dev to have a mail to <paramref name="to"/> and returns its plain-text body.</summary>
    public static async Task<(string Subject, string Body)> WaitForMailAsync(string to, string? subjectContains = null)
    {
        var api = Environment.GetEnvironmentVariable("DAILYPAPERS_TEST_SMTP_API") ?? "http://127.0.0.1:5099";
        using var http = new HttpClient { BaseAddress = new Uri(api) };
        for (int i = 0; i < 100; i++)
        {
            var doc = await http.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=1000");
            foreach (var m in doc.GetProperty("results").EnumerateArray())
            {
                var recipients = m.GetProperty("to").EnumerateArray().Select(t => t.GetString());
                var subject = m.GetProperty("subject").GetString() ?? "";
                if (recipients.Contains(to, StringComparer.OrdinalIgnoreCase) && (subjectContains is null || subject.Contains(subjectContains)))
                {
                    var body = await http.GetStringAsync($"/api/messages/{m.GetProperty("id").GetString()}/plaintext");
                    return (subject, body);
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no mail to {to} arrived at smtp4dev");
    }

    public static async Task<int> CountMailsAsync(string to)
    {
        var api = Environment.GetEnvironmentVariable("DAILYPAPERS_TEST_SMTP_API") ?? "http://127.0.0.1:5099";
        using var http = new HttpClient { BaseAddress = new Uri(api) };
        var doc = await http.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=1000");
        return doc.GetProperty("results").EnumerateArray().Count(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetString(), to, StringComparison.OrdinalIgnoreCase)));
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();

    /// <summary>The path and query of the first link in a mail body.</summary>
    public static string LinkIn(string body)
    {
        var m = LinkPattern().Match(body);
        Assert.True(m.Success, "no link in the mail: " + body);
        return new Uri(m.Value).PathAndQuery;
    }
}
