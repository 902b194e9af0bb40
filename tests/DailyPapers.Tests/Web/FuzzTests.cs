using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DailyPapers.Api;
using DailyPapers.Community;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Web;

/// <summary>
/// Hostile input to every route that takes any: the routes come from the app's endpoint data source (so a new
/// route is covered without touching this file), each route value, query parameter, form field and JSON property
/// in turn gets every string of <see cref="FuzzCorpus"/> while the others keep valid values. No answer may be a
/// 5xx, and the server must still answer afterwards.
/// </summary>
public sealed partial class FuzzTests(ITestOutputHelper output)
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task NoHostileInputOnAnyRouteGetsAServerErrorOrStopsTheServer(string engine)
    {
        await using var arxiv = await Ingest.ArxivStub.ServingPapersAsync([]);
        var errors = new ConcurrentDictionary<string, int>();
        await using var server = await StartAsync(engine, b =>
        {
            // What the server logged as errors: the cause of a 5xx, shown with the failures.
            b.Logging.AddProvider(new ErrorCollector(errors));
            // The limits under test elsewhere would answer 429 before the code under test here runs.
            b.Configuration["Api:RatePermits"] = "1000000";
            b.Configuration["Community:AuthAttemptsPerIpPerMinute"] = "10000";
            b.Configuration["Community:LoginAttemptsPerAccountPerAddress"] = "10000";
            b.Configuration["Community:MailsPerIpPerHour"] = "10000";
            b.Configuration["Community:CommentsPerUserPer10Minutes"] = "10000";
            b.Configuration["Community:SubmissionsPerUserPerDay"] = "1000";
            // arXiv is a local stand-in that knows no paper (submissions, the admin page's "Run now").
            b.Configuration["Arxiv:ApiBaseUrl"] = arxiv.ApiUrl;
            b.Configuration["Arxiv:OaiBaseUrl"] = arxiv.BaseUrl + "oai";
            b.Configuration["Arxiv:RssBaseUrl"] = arxiv.BaseUrl + "rss/";
            b.Configuration["Arxiv:MinSpacing"] = "00:00:00";
            b.Configuration["Arxiv:MaxAttempts"] = "1";
            b.Configuration["Digest:AdminToken"] = "fuzz-admin-token";
            b.Configuration["Harvest:AdminToken"] = "fuzz-admin-token";
            // Semantic and hybrid search run for real, over a corpus small enough to embed in seconds.
            b.Configuration["Search:Embeddings"] = "true";
            b.Configuration["Search:IndexPollInterval"] = "00:00:00.200";
        });
        var state = await FuzzState.CreateAsync(server);
        var cases = FuzzCases.Build(server, state).ToList();

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var byRoute = new ConcurrentDictionary<string, ConcurrentDictionary<int, int>>();
        var timings = new Dictionary<string, TimeSpan>();
        var clock = Stopwatch.StartNew();
        // One batch per route and method, in order (reads, then writes, then deletes); parallel inside a batch.
        foreach (var batch in cases.GroupBy(c => c.Batch))
        {
            await state.RestoreAsync();
            var started = clock.Elapsed;
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, _) =>
            {
                using var request = c.ToRequest(state);
                int status;
                string body;
                try
                {
                    using var response = await state.ClientFor(c).SendAsync(request);
                    status = (int)response.StatusCode;
                    body = status >= 500 ? await response.Content.ReadAsStringAsync() : "";
                }
                catch (HttpRequestException e)
                {
                    // The connection dropped: the server died or reset it; either is a failure.
                    status = 599;
                    body = e.Message;
                }
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                byRoute.GetOrAdd($"{c.Method} {c.Route}", _ => new()).AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status >= 500) failures.Enqueue($"{status} {c.Describe()}  {Snip(body)}");
            });
            timings[$"{batch.First().Method} {batch.First().Route}"] = clock.Elapsed - started;
        }
        clock.Stop();

        // Still alive and still right.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/healthz")).StatusCode);
        var search = await server.Client.GetAsync("/api/v1/papers/search?q=neural+networks&mode=hybrid");
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Contains(Search.SearchTestSupport.NilmId, await search.Content.ReadAsStringAsync());

        output.WriteLine($"{engine}: {cases.Count} cases on {cases.Select(c => c.Route).Distinct().Count()} routes in {clock.Elapsed.TotalSeconds:F1} s; " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        foreach (var route in cases.GroupBy(c => $"{c.Method} {c.Route}"))
            output.WriteLine($"{route.Key}: {route.Count()} cases in {timings.GetValueOrDefault(route.Key).TotalSeconds:F1} s ({string.Join(", ", route.Select(c => c.Varied.Split('=')[0]).Distinct())}) "
                + string.Join(" ", byRoute[route.Key].OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        foreach (var f in failures.Take(200)) output.WriteLine(f);
        foreach (var (e, n) in errors.Where(_ => !failures.IsEmpty)) output.WriteLine($"logged {n}×: {e}");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} requests got a 5xx; the first: {string.Join(" | ", failures.Take(5))}");
    }

    /// <summary>The fuzz suite's first finding on PostgreSQL, which cannot store U+0000 in text: each of these was a 500.</summary>
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ANulCharacterIsRefusedWithAClear400BeforeItReachesTheDatabase(string engine)
    {
        await using var server = await StartAsync(engine);
        await SeedPapersAsync(server, 1);
        var member = await CreateMemberAsync(server, UniqueEmail("nul"), "Nul");
        string token;
        await using (var db = server.Database.Settings.CreateContext())
            token = (await ApiTokens.CreateAsync(db, member.Id, "nul", ApiScope.Write)).Secret;

        async Task<HttpResponseMessage> Send(HttpMethod method, string url, string? json = null)
        {
            using var req = new HttpRequestMessage(method, url);
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (json is not null) req.Content = new StringContent(json, Encoding.UTF8, "application/json");
            return await server.Client.SendAsync(req);
        }

        foreach (var (method, url, json) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Post, "/api/v1/papers/2501.00001/comments", "{\"markdown\": \"a\\u0000b\"}"),
            (HttpMethod.Put, "/api/v1/digest/subscription", "{\"frequency\": \"daily\", \"keywords\": [\"a\\u0000b\"]}"),
            (HttpMethod.Get, "/api/v1/papers/search?q=a%00b", null),
        })
        {
            var res = await Send(method, url, json);
            Assert.True(res.StatusCode == HttpStatusCode.BadRequest, $"{method} {url}: {(int)res.StatusCode}");
            Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
            Assert.Contains("NUL character", await res.Content.ReadAsStringAsync());
        }
        var hf = await server.Client.GetAsync("/api/daily_papers?submitter=%00");
        Assert.Equal(HttpStatusCode.BadRequest, hf.StatusCode);
        Assert.Contains("\"error\"", await hf.Content.ReadAsStringAsync());
        var page = await server.Client.GetAsync("/search?q=a%00b");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("NUL character", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()));
        // Nothing was written, and the comment without the NUL goes through.
        Assert.Equal(HttpStatusCode.Created, (await Send(HttpMethod.Post, "/api/v1/papers/2501.00001/comments", "{\"markdown\": \"ab\"}")).StatusCode);
        await using var check = server.Database.Settings.CreateContext();
        Assert.Equal(1, await check.Set<Comment>().CountAsync());
    }

    private static string Snip(string s) => s.Length <= 300 ? s : s[..300] + "…";

    /// <summary>Counts the distinct exceptions logged at Error level (type, message and the first frame in the app).</summary>
    private sealed class ErrorCollector(ConcurrentDictionary<string, int> errors) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is null || !IsEnabled(logLevel)) return;
            var frame = exception.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("DailyPapers."))?.Trim() ?? "";
            errors.AddOrUpdate($"{exception.GetType().Name}: {Snip(exception.Message)} {frame}", 1, (_, n) => n + 1);
        }

        public void Dispose() { }
    }
}

/// <summary>The hostile strings: query syntax, repetition, brackets, control characters, invalid UTF-8, 10 kB, boundary dates, ids and numbers.</summary>
internal static class FuzzCorpus
{
    private static string Times(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    /// <summary>Decoded strings; percent-encoded where they go into a URL or form.</summary>
    public static readonly string[] Text =
    [
        // Lucene and regular-expression syntax, huge repetition counts, unbalanced brackets.
        "/[/", "/a{/", "/(/", "/[a-/", "title:/[/", "/\\/", "/a{1,99999}/", "/a{1,300000}/", "/(a|aa)*b{1,2147483647}/",
        "HAM/TSP patients / tropical", "a*b?c*d", "*", "?x", "\\", "\"", "(((((", "[a TO *]", "{* TO *}",
        "x~99999999 y^99999999", "!x && y || z", "AND OR NOT", "author:", "cat:\"", "*:*", ":", "title:(a OR",
        Times("(", 250), Times("ab* ", 60), Times("x ", 120),
        // Control characters, odd Unicode.
        "\0", "a\0b", "\u0001\u0002\u001f\u007f", "\r\n\r\nX-Injected: 1", "\u2028\u2029\uFEFF\uFFFF", "\u202Egnp.exe", "💥🚀𝕏",
        // 10 kB and deep Markdown or TeX nesting.
        Times("a", 10_240), Times("é", 5_000), Times("/", 10_240), Times("> ", 5_000), Times("- ", 5_000), Times("[", 10_000),
        Times("$\\frac{", 1_500), Times("**a", 3_000),
        // Boundary and impossible dates, weeks and months.
        "9999-12-31", "0001-01-01", "10000-01-01", "0000-00-00", "2019-02-29", "2020-02-29", "9999-W52", "9999-W53", "0001-W01",
        "9999-12", "0001-01", "2019-13", "2019-12-02T00:00:00Z", "٢٠١٩-١٢-٠٢",
        // arXiv ids: missing versions, before the scheme, old style, traversal.
        "1906.05153v9", "1410.8597v0", "1410.8597v99999999999", "0704.0001", "0703.9999", "hep-th/9901001", "hep-th%2F9901001",
        "../../etc/passwd", ".", "https://arxiv.org/abs/1410.8597v1",
        // Numbers.
        "99999999999", "2147483647", "2147483648", "-1", "-2147483649", "0", "1e309", "NaN", "0x10", " 1", "١٢٣", "9223372036854775808",
        // Markup and injection.
        "<script>alert(1)</script>", "'; DROP TABLE papers; --", "${7*7}{{7*7}}%s%n", "javascript:alert(1)", "//evil.example/", "", " ",
    ];

    /// <summary>Percent-encodings that decode to invalid UTF-8 (or nothing), used as they are.</summary>
    public static readonly string[] RawEncoded =
    [
        "%FF", "%C3%28", "%ED%A0%80", "%F4%90%80%80", "%C0%AF", "%", "%zz", "%00", "%E2%82", Times("%FF", 3_000),
    ];

    /// <summary>Every value as it goes into a URL or a form body.</summary>
    public static IEnumerable<string> Encoded => Text.Select(Uri.EscapeDataString).Concat(RawEncoded);

    /// <summary>JSON texts for a number or id property.</summary>
    public static readonly string[] JsonNumbers =
        ["99999999999999999999", "-1", "0", "1e309", "-9223372036854775809", "1.5", "\"abc\"", "null", "true", "[]", "{}", "\"\\u0000\""];

    /// <summary>Whole bodies sent as application/json.</summary>
    public static readonly byte[][] JsonBodies =
    [
        [], "null"u8.ToArray(), "[]"u8.ToArray(), "{"u8.ToArray(), "{\"a\":"u8.ToArray(), Encoding.UTF8.GetBytes(Times("[", 10_000)),
        Encoding.UTF8.GetBytes(Times("{\"a\":", 5_000)), "\"\\ud800\""u8.ToArray(), [0xFF, 0xFE, 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D],
        Encoding.UTF8.GetBytes("{\"markdown\":\"" + Times("x", 200_000) + "\"}"), "{\"markdown\":\"\\ud800\\udc00\\ud800\"}"u8.ToArray(),
    ];

    /// <summary>Whole bodies sent as a form (with a valid antiforgery token prepended).</summary>
    public static readonly string[] FormBodies = ["a=%FF&&==&", Times("x=1&", 2_000), "%=%&%zz=%zz", Times("a", 100_000) + "=1"];
}

/// <summary>One request: a route, a method, the URL with its query, and a body.</summary>
internal sealed record FuzzCase(int Batch, string Route, string Method, string Url, string? Form, byte[]? Json, bool SignedIn, string Varied)
{
    public HttpRequestMessage ToRequest(FuzzState state)
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), Url);
        if (Form is not null)
        {
            var token = "__RequestVerificationToken=" + Uri.EscapeDataString(SignedIn ? state.SignedInAntiforgery : state.AnonymousAntiforgery);
            request.Content = new StringContent(Form.Length == 0 ? token : token + "&" + Form, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        }
        else if (Json is not null)
        {
            request.Content = new ByteArrayContent(Json);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        if (SignedIn && Url.StartsWith("/api/", StringComparison.Ordinal))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", state.WriteToken);
        if (Url.StartsWith("/admin/", StringComparison.Ordinal)) request.Headers.Add("X-Admin-Token", "fuzz-admin-token");
        return request;
    }

    public string Describe()
    {
        var what = Varied.Length > 120 ? Varied[..120] + "…" : Varied;
        var url = Url.Length > 160 ? Url[..160] + "…" : Url;
        return $"{Method} {url} [{what}]";
    }
}

/// <summary>What the requests need to get past the front door: a paper, a member (admin) signed in, a write token, a comment.</summary>
internal sealed partial class FuzzState
{
    private readonly TestServer _server;
    private readonly AppUser _member;
    private readonly string _email;
    public HttpClient SignedIn { get; private set; } = null!;
    public HttpClient Anonymous { get; }
    public string WriteToken { get; private set; } = "";
    public string SignedInAntiforgery { get; private set; } = "";
    public string AnonymousAntiforgery { get; private set; } = "";
    public long PaperId { get; private set; }
    public long CommentId { get; private set; }
    public string UserId => _member.Id;

    private FuzzState(TestServer server, AppUser member, string email)
    {
        _server = server;
        _member = member;
        _email = email;
        Anonymous = NewClient(server);
    }

    public static async Task<FuzzState> CreateAsync(TestServer server)
    {
        // 20 real papers plus the NILM one: enough for every list, search mode and feed to have results, few enough to embed quickly.
        var lines = File.ReadLines(TestEnv.Sample1000).ToList();
        var slice = Path.Combine(server.Database.DataDir, "fuzz-slice.jsonl");
        await File.WriteAllLinesAsync(slice, lines.Take(20).Append(lines.First(l => l.Contains(Search.SearchTestSupport.NilmId))).Distinct());
        var imported = (await new SnapshotImport(new PaperUpsert(server.Database.Settings)).RunAsync(slice)).Counts.Inserted;
        await Search.SearchTestSupport.WaitForAsync(server, s => s.GetProperty("embeddedPapers").GetInt32() == imported && s.GetProperty("semanticReady").GetBoolean(), seconds: 600);

        var email = UniqueEmail("fuzz");
        var member = await CreateMemberAsync(server, email, "Fuzz", Roles.Admin);
        var state = new FuzzState(server, member, email);
        await using (var db = server.Database.Settings.CreateContext())
            state.PaperId = await db.Papers.Where(p => p.ArxivId == "1410.8597").Select(p => p.Id).SingleAsync();
        state.AnonymousAntiforgery = await AntiforgeryAsync(state.Anonymous, "/account/login");
        await state.RestoreAsync();
        return state;
    }

    public HttpClient ClientFor(FuzzCase c) => c.SignedIn ? SignedIn : Anonymous;

    /// <summary>Puts back what a batch may have taken away: the session (logout), the token (revoked), the comment (deleted).</summary>
    public async Task RestoreAsync()
    {
        if (SignedIn is null || (await SignedIn.GetAsync("/account/tokens")).StatusCode != HttpStatusCode.OK)
        {
            SignedIn = await LoggedInClientAsync(_server, _email);
            SignedInAntiforgery = await AntiforgeryAsync(SignedIn, "/submit");
        }
        await using var db = _server.Database.Settings.CreateContext();
        if (WriteToken.Length == 0 || await ApiTokens.FindActiveAsync(db, WriteToken) is null)
            WriteToken = (await ApiTokens.CreateAsync(db, _member.Id, "fuzz", ApiScope.Write)).Secret;
        if (CommentId == 0)
        {
            await using var scope = _server.App.Services.CreateAsyncScope();
            var (_, id, error, _) = await scope.ServiceProvider.GetRequiredService<CommentWriter>().PostAsync(_member.Id, PaperId, null, "A comment to fuzz.");
            CommentId = id ?? throw new InvalidOperationException(error);
        }
        // The cases name this comment: bring it back rather than post another.
        await db.Set<Comment>().Where(c => c.Id == CommentId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Deleted, false).SetProperty(c => c.Hidden, false));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private static async Task<string> AntiforgeryAsync(HttpClient client, string page)
    {
        var html = await (await client.GetAsync(page)).Content.ReadAsStringAsync();
        var m = TokenPattern().Match(html);
        Assert.True(m.Success, $"no antiforgery token on {page}");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }
}

/// <summary>Turns the app's endpoints into requests: for each input, every hostile value with the other inputs valid.</summary>
internal static class FuzzCases
{
    /// <summary>
    /// Query parameters read by hand from <c>Request.Query</c> (the search request, <c>SearchEndpoints.ReadRequest</c>),
    /// not as handler parameters: added to search routes whose handler takes the request itself.
    /// </summary>
    private static readonly string[] SearchParameters = ["q", "mode", "cat", "from", "to", "author", "page", "page_size", "limit"];

    private static readonly string?[] SearchModes = ["hybrid", "keyword", "semantic"];

    private static readonly HashSet<Type> Plumbing =
        [typeof(CancellationToken), typeof(HttpContext), typeof(HttpRequest), typeof(HttpResponse), typeof(ClaimsPrincipal)];

    private static readonly string[] MethodOrder = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    private sealed record Input(string Name, Type Type, InputKind Kind);

    private enum InputKind { Route, Query, Form, JsonBody }

    private sealed record Target(string Route, RoutePattern Pattern, string Method, List<Input> Inputs, bool SignedIn, string? Handler, bool IsPage);

    public static IEnumerable<FuzzCase> Build(TestServer server, FuzzState state)
    {
        var targets = Targets(server).OrderBy(t => Array.IndexOf(MethodOrder, t.Method)).ThenBy(t => t.Route, StringComparer.Ordinal).ToList();
        int batch = 0;
        foreach (var t in targets)
        {
            batch++;
            foreach (var c in CasesFor(t, state, batch, null)) yield return c;
            // A search's words go through every mode: keyword, semantic and hybrid parse and embed them differently.
            if (t.Inputs.Any(i => i.Name == "mode"))
                foreach (var mode in SearchModes.Where(m => m != "hybrid"))
                    foreach (var c in CasesFor(t, state, batch, mode).Where(c => c.Varied.StartsWith("q=", StringComparison.Ordinal))) yield return c;
        }
    }

    private static IEnumerable<FuzzCase> CasesFor(Target t, FuzzState state, int batch, string? mode)
    {
        string Valid(Input i) => i.Name == "mode" && mode is not null ? mode : ValidValue(t, i, state);
        var route = t.Inputs.Where(i => i.Kind == InputKind.Route).ToList();
        var query = t.Inputs.Where(i => i.Kind == InputKind.Query).ToList();
        var form = t.Inputs.Where(i => i.Kind == InputKind.Form).ToList();
        var body = t.Inputs.FirstOrDefault(i => i.Kind == InputKind.JsonBody);

        // Other inputs stay absent, except the query and mode of a search, without which nothing is searched.
        string Url(Input? varied, string? value)
        {
            var path = BuildPath(t.Pattern, name => varied?.Kind == InputKind.Route && varied.Name == name
                ? value! : Uri.EscapeDataString(Valid(route.First(r => r.Name == name))));
            var qs = query.Where(q => q == varied || q.Name is "q" or "mode")
                .Select(q => q.Name + "=" + (q == varied ? value : Uri.EscapeDataString(Valid(q)))).ToList();
            if (t.Handler is { Length: > 0 } h && !t.Pattern.Parameters.Any(p => p.Name == "handler")) qs.Add("handler=" + h);
            return path + (qs.Count == 0 ? "" : "?" + string.Join("&", qs));
        }
        string? Form(Input? varied, string? value) => !t.IsPage || t.Method == "GET" ? null
            : string.Join("&", form.Select(f => f.Name + "=" + (f == varied ? value : Uri.EscapeDataString(Valid(f)))));
        byte[]? ValidJson() => body is null ? null : JsonBody(body.Type, null);
        FuzzCase Case(string url, string? formBody, byte[]? json, string varied) => new(batch, t.Route, t.Method, url, formBody, json, t.SignedIn, varied);

        // The valid request first, so a route that fails on good input shows up as such.
        yield return Case(Url(null, null), Form(null, null), ValidJson(), "valid");
        foreach (var input in route.Concat(query).Concat(form))
            foreach (var value in FuzzCorpus.Encoded)
                yield return Case(Url(input, value), Form(input, value), ValidJson(), $"{input.Name}={value}");
        if (body is not null)
        {
            foreach (var p in JsonProperties(body.Type))
            {
                var values = IsNumber(p.PropertyType) ? FuzzCorpus.JsonNumbers
                    : IsStrings(p.PropertyType) ? FuzzCorpus.Text.Select(s => JsonSerializer.Serialize(new[] { s }))
                    : FuzzCorpus.Text.Select(s => JsonSerializer.Serialize(s));
                foreach (var v in values) yield return Case(Url(null, null), null, JsonBody(body.Type, (JsonName(p), v)), $"{JsonName(p)}={v}");
            }
            foreach (var raw in FuzzCorpus.JsonBodies) yield return Case(Url(null, null), null, raw, $"body={Encoding.UTF8.GetString(raw)}");
        }
        if (t.IsPage && t.Method != "GET")
            foreach (var raw in FuzzCorpus.FormBodies) yield return Case(Url(null, null), raw, null, $"form={raw}");
    }

    private static string BuildPath(RoutePattern pattern, Func<string, string> value)
    {
        var sb = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            sb.Append('/');
            foreach (var part in segment.Parts)
                sb.Append(part switch
                {
                    RoutePatternLiteralPart l => l.Content,
                    RoutePatternSeparatorPart s => s.Content,
                    RoutePatternParameterPart p => value(p.Name),
                    _ => "",
                });
        }
        return sb.Length == 0 ? "/" : sb.ToString();
    }

    /// <summary>A value the route accepts: so that the other inputs' hostile values reach the code behind the routing.</summary>
    private static string ValidValue(Target t, Input i, FuzzState state)
    {
        string[] candidates = i.Name.ToLowerInvariant() switch
        {
            "segment" => ["date"],
            "value" => ["2014-10-30"],
            "format" => ["bib", "rss", "atom", "md", "ris"],
            "archive" => ["hep-th"],
            "id" when t.Route.StartsWith("/users/", StringComparison.Ordinal) => [state.UserId],
            "id" when t.Route.Contains("/{archive}/", StringComparison.Ordinal) => ["9901001"],
            "id" or "commentid" when IsNumber(i.Type) || ConstrainedToNumber(t, i) => [state.CommentId.ToString()],
            "id" or "arxivid" => ["1410.8597"],
            "paperid" => [state.PaperId.ToString()],
            "parentid" => [""],
            "code" => ["404"],
            "handler" => [t.Handler ?? ""],
            "q" => ["neural networks"],
            "email" => ["fuzz-nobody@example.test"],
            "returnurl" => ["/"],
            "body" or "markdown" => ["A fuzzed comment."],
            "frequency" => ["daily"],
            _ => [IsNumber(i.Type) ? "1" : "x"],
        };
        var constraint = RegexConstraint(t, i);
        return candidates.FirstOrDefault(c => constraint?.IsMatch(c) ?? true) ?? candidates[0];
    }

    private static bool ConstrainedToNumber(Target t, Input i) =>
        t.Pattern.ParameterPolicies.TryGetValue(i.Name, out var policies) && policies.Any(p => p.Content is "long" or "int");

    private static Regex? RegexConstraint(Target t, Input i)
    {
        if (!t.Pattern.ParameterPolicies.TryGetValue(i.Name, out var policies)) return null;
        var content = policies.Select(p => p.Content).FirstOrDefault(c => c?.StartsWith("regex(", StringComparison.Ordinal) == true);
        return content is null ? null : new Regex(content[6..^1]);
    }

    private static IEnumerable<Target> Targets(TestServer server)
    {
        var services = server.App.Services;
        var isService = services.GetRequiredService<IServiceProviderIsService>();
        var loader = services.GetRequiredService<PageLoader>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            var routeText = "/" + (pattern.RawText ?? "").TrimStart('/');
            var routeInputs = pattern.Parameters.Select(p => new Input(p.Name, typeof(string), InputKind.Route)).ToList();
            bool signedIn = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any() || routeText.StartsWith("/api/", StringComparison.Ordinal)
                || routeText.StartsWith("/admin/", StringComparison.Ordinal);

            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = loader.LoadAsync(page, EndpointMetadataCollection.Empty).GetAwaiter().GetResult();
                signedIn |= compiled.EndpointMetadata.OfType<IAuthorizeData>().Any();
                var bound = compiled.BoundProperties.OfType<PageBoundPropertyDescriptor>().ToList();
                foreach (var handler in compiled.HandlerMethods)
                {
                    var method = handler.HttpMethod.ToUpperInvariant();
                    if (method is "HEAD") continue;
                    var kind = method == "GET" ? InputKind.Query : InputKind.Form;
                    var inputs = new List<Input>(routeInputs);
                    foreach (var p in handler.Parameters.Where(p => IsInput(p.ParameterType, isService) && !routeInputs.Any(r => r.Name == p.Name)))
                        inputs.Add(new Input(p.Name, p.ParameterType, p.BindingInfo?.BindingSource == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Query ? InputKind.Query : kind));
                    foreach (var b in bound.Where(b => method != "GET" || b.Property.GetCustomAttribute<BindPropertyAttribute>()?.SupportsGet == true))
                        inputs.AddRange(Flatten(b.Name, b.ParameterType).Select(f => new Input(f.Name, f.Type, kind)));
                    if (routeText is "/search" && !inputs.Any(i => i.Name == "q")) inputs.AddRange(SearchParameters.Select(n => new Input(n, typeof(string), InputKind.Query)));
                    // Actions run as the signed-in admin (a handler may check the role itself), except the account pages' own forms.
                    bool asMember = signedIn || (method != "GET" && !routeText.StartsWith("/account/", StringComparison.Ordinal));
                    yield return new Target(routeText, pattern, method, Distinct(inputs), asMember, handler.Name, true);
                }
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var info = endpoint.Metadata.GetMetadata<MethodInfo>();
            foreach (var method in methods.Where(m => m != "HEAD"))
            {
                var inputs = new List<Input>(routeInputs);
                foreach (var p in info?.GetParameters() ?? [])
                {
                    if (routeInputs.Any(r => string.Equals(r.Name, p.Name, StringComparison.OrdinalIgnoreCase))) continue;
                    if (p.GetCustomAttribute<FromBodyAttribute>() is not null) inputs.Add(new Input(p.Name!, p.ParameterType, InputKind.JsonBody));
                    else if (IsInput(p.ParameterType, isService) && p.GetCustomAttribute<FromServicesAttribute>() is null) inputs.Add(new Input(p.Name!, p.ParameterType, InputKind.Query));
                }
                if (routeText.Contains("search", StringComparison.Ordinal) && info?.GetParameters().Any(p => p.ParameterType == typeof(HttpRequest)) == true
                    && !inputs.Any(i => i.Name == "q"))
                    inputs.AddRange(SearchParameters.Select(n => new Input(n, typeof(string), InputKind.Query)));
                yield return new Target(routeText, pattern, method, Distinct(inputs), signedIn, null, false);
            }
        }
    }

    private static List<Input> Distinct(List<Input> inputs) => inputs.DistinctBy(i => i.Name.ToLowerInvariant()).ToList();

    private static bool IsInput(Type t, IServiceProviderIsService isService)
    {
        var u = Nullable.GetUnderlyingType(t) ?? t;
        if (Plumbing.Contains(u) || isService.IsService(u)) return false;
        return u.IsPrimitive || u.IsEnum || u == typeof(string) || u == typeof(DateOnly) || u == typeof(DateTime) || u == typeof(decimal) || IsStrings(u);
    }

    /// <summary>A bound model's fields as the form names them ("Input.Email"); simple properties stay as they are.</summary>
    private static IEnumerable<(string Name, Type Type)> Flatten(string name, Type type)
    {
        if (type == typeof(string) || type.IsValueType || IsStrings(type)) return [(name, type)];
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => ($"{name}.{p.Name}", p.PropertyType));
    }

    private static bool IsNumber(Type t)
    {
        var u = Nullable.GetUnderlyingType(t) ?? t;
        return u == typeof(int) || u == typeof(long) || u == typeof(double) || u == typeof(decimal) || u == typeof(short);
    }

    private static bool IsStrings(Type t) => t != typeof(string) && typeof(IEnumerable<string>).IsAssignableFrom(t);

    private static IEnumerable<PropertyInfo> JsonProperties(Type t) => t.GetProperties(BindingFlags.Public | BindingFlags.Instance);

    private static string JsonName(PropertyInfo p) => JsonNamingPolicy.CamelCase.ConvertName(p.Name);

    /// <summary>A JSON object of the body type with valid values, one property replaced by a hostile JSON text.</summary>
    private static byte[] JsonBody(Type type, (string Name, string Json)? varied)
    {
        var parts = JsonProperties(type).Select(p =>
        {
            var name = JsonName(p);
            if (varied is { } v && v.Name == name) return $"\"{name}\":{v.Json}";
            var valid = name switch
            {
                "markdown" => "\"A fuzzed comment.\"",
                "arxivId" => "\"1410.8597\"",
                "frequency" => "\"daily\"",
                "parentId" => "null",
                _ when IsStrings(p.PropertyType) => "[\"cs.LG\"]",
                _ when IsNumber(p.PropertyType) => "null",
                _ => "\"x\"",
            };
            return $"\"{name}\":{valid}";
        });
        return Encoding.UTF8.GetBytes("{" + string.Join(",", parts) + "}");
    }
}
