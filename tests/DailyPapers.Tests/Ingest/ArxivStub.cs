using System.Collections.Concurrent;
using System.Globalization;
using DailyPapers.Ingest;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DailyPapers.Tests.Ingest;

/// <summary>A clock that only moves when someone waits on it, so politeness delays cost no real time.</summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly object _lock = new();
    private DateTimeOffset _now = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
    public List<TimeSpan> Delays { get; } = [];

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public Task DelayAsync(TimeSpan d, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            Delays.Add(d);
            _now += d;
        }
        return Task.CompletedTask;
    }

    public ArxivHttp CreateHttp(ArxivSettings options) => new(options, this, DelayAsync);
}

/// <summary>
/// A local stand-in for arXiv's servers (Kestrel on a loopback port) that serves recorded responses and checks the
/// politeness rules on every request: never two at once, never closer together than the configured spacing.
/// </summary>
public sealed class ArxivStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly VirtualClock _clock;
    private readonly TimeSpan _spacing;
    private int _inFlight;
    private DateTimeOffset? _lastArrival;

    public Uri BaseUrl { get; }
    public ConcurrentQueue<string> Requests { get; } = new();
    public ConcurrentQueue<string> UserAgents { get; } = new();
    public ConcurrentQueue<string> Violations { get; } = new();

    private ArxivStub(WebApplication app, VirtualClock clock, TimeSpan spacing, Uri baseUrl)
    {
        _app = app;
        _clock = clock;
        _spacing = spacing;
        BaseUrl = baseUrl;
    }

    public static async Task<ArxivStub> StartAsync(VirtualClock clock, TimeSpan spacing, Func<HttpContext, int, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        ArxivStub? stub = null;
        app.Run(async ctx =>
        {
            var s = stub!;
            if (Interlocked.Increment(ref s._inFlight) > 1) s.Violations.Enqueue($"concurrent request {ctx.Request.QueryString}");
            try
            {
                var now = s._clock.GetUtcNow();
                if (s._lastArrival is { } last && now - last < s._spacing)
                    s.Violations.Enqueue($"request {now - last} after the previous one, spacing is {s._spacing}");
                s._lastArrival = now;
                s.Requests.Enqueue(ctx.Request.Path + ctx.Request.QueryString);
                s.UserAgents.Enqueue(ctx.Request.Headers.UserAgent.ToString());
                await handler(ctx, s.Requests.Count);
            }
            finally
            {
                Interlocked.Decrement(ref s._inFlight);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        stub = new ArxivStub(app, clock, spacing, new Uri(address.TrimEnd('/') + "/"));
        return stub;
    }

    /// <summary>The export API's address on this stub (Arxiv:ApiBaseUrl).</summary>
    public string ApiUrl => BaseUrl + "api/query";

    /// <summary>
    /// A stub whose export API answers id_list look-ups from a table of papers (id → first published), as submissions
    /// ask it; every other path is 404. Its clock does not move, so it checks no spacing.
    /// </summary>
    public static Task<ArxivStub> ServingPapersAsync(Dictionary<string, DateTime> published) =>
        StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, _) =>
        {
            if (ctx.Request.Path != "/api/query")
            {
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            var ids = ctx.Request.Query["id_list"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).Where(published.ContainsKey).ToList();
            ctx.Response.ContentType = "application/atom+xml";
            return ctx.Response.WriteAsync($"""
                <?xml version="1.0" encoding="UTF-8"?>
                <feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
                  <title>arXiv Query</title>
                  <opensearch:totalResults>{ids.Count}</opensearch:totalResults>
                  <opensearch:startIndex>0</opensearch:startIndex>
                  {string.Concat(ids.Select(id => AtomEntry(id, published[id])))}
                </feed>
                """);
        });

    private static string AtomEntry(string id, DateTime published) => $"""
        <entry>
          <id>http://arxiv.org/abs/{id}v1</id>
          <updated>{published.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}</updated>
          <published>{published.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}</published>
          <title>Submitted paper {id} on $\alpha$-stable noise</title>
          <summary>An abstract for {id}.</summary>
          <author><name>Grace Hopper</name></author>
          <arxiv:primary_category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
          <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
        </entry>
        """;

    public void AssertPolite()
    {
        Assert.Empty(Violations);
        Assert.NotEmpty(Requests);
    }

    public static async Task WriteFileAsync(HttpContext ctx, string path, string contentType = "text/xml; charset=utf-8")
    {
        ctx.Response.ContentType = contentType;
        await ctx.Response.Body.WriteAsync(await File.ReadAllBytesAsync(path));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public static class Fixtures
{
    public static string Oai(string name) => Path.Combine(Support.TestEnv.SharedData, "fixtures", "oai-pmh", name);
    public static string Api(string name) => Path.Combine(Support.TestEnv.SharedData, "fixtures", "arxiv-api", name);
    public static System.Xml.Linq.XDocument Load(string path) => SafeXml.Load(File.ReadAllBytes(path), path);

    public static ArxivSettings Options(Uri baseUrl, TimeSpan? spacing = null) => new()
    {
        MinSpacing = spacing ?? TimeSpan.FromSeconds(3),
        Contact = "ops@example.org",
        OaiBaseUrl = baseUrl + "oai",
        ApiBaseUrl = baseUrl + "api/query",
        RssBaseUrl = baseUrl + "rss/",
        RequestTimeout = TimeSpan.FromSeconds(30),
    };
}
