using System.Net.Sockets;
using System.Text;
using DailyPapers.Ingest;
using Microsoft.AspNetCore.Http;

namespace DailyPapers.Tests.Ingest;

/// <summary>Politeness and safety of the one HTTP door to arXiv, against a local stub.</summary>
public sealed class ArxivHttpTests
{
    private static readonly TimeSpan Spacing = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task RecordedServiceUnavailableWithRetryAfterIsWaitedOutThenSucceeds()
    {
        var clock = new VirtualClock();
        await using var stub = await ArxivStub.StartAsync(clock, Spacing, async (ctx, n) =>
        {
            if (n == 1)
            {
                ctx.Response.StatusCode = 503;
                ctx.Response.Headers.RetryAfter = "10";
                await ArxivStub.WriteFileAsync(ctx, Fixtures.Oai("arxiv_ListRecords_arXiv_2015-01-01_2015-01-03_HTTP503_RetryAfter.html"), "text/html");
                return;
            }
            await ArxivStub.WriteFileAsync(ctx, Fixtures.Oai("arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml"));
        });
        using var http = clock.CreateHttp(Fixtures.Options(stub.BaseUrl));
        var url = new Uri(stub.BaseUrl, "oai?verb=ListRecords&metadataPrefix=arXiv&from=2015-01-01&until=2015-01-03");
        var page = OaiPmhParser.Parse(SafeXml.Load(await http.GetAsync(url, CancellationToken.None), "test"));

        Assert.Equal(["1412.8544", "hep-th/9504118"], page.Items.Select(i => i.ArxivId));
        Assert.Equal(2, stub.Requests.Count);
        Assert.Contains(TimeSpan.FromSeconds(10), clock.Delays);
        stub.AssertPolite();
        Assert.All(stub.UserAgents, ua => Assert.Contains("mailto:ops@example.org", ua));
    }

    [Fact]
    public async Task ConcurrentCallersAreServedOneAtATimeAndSpacedOut()
    {
        var clock = new VirtualClock();
        await using var stub = await ArxivStub.StartAsync(clock, Spacing, async (ctx, n) =>
        {
            await Task.Delay(20); // keep each request open long enough for overlap to show if it could happen
            await ArxivStub.WriteFileAsync(ctx, Fixtures.Oai("hepcrawl_arxiv-single.xml"));
        });
        using var http = clock.CreateHttp(Fixtures.Options(stub.BaseUrl));
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => http.GetAsync(new Uri(stub.BaseUrl, $"oai?n={i}"), CancellationToken.None))));
        Assert.Equal(6, stub.Requests.Count);
        stub.AssertPolite();
    }

    [Fact]
    public async Task RepeatedFailuresStopWithAClearErrorAfterMaxAttempts()
    {
        var clock = new VirtualClock();
        await using var stub = await ArxivStub.StartAsync(clock, Spacing, (ctx, n) => { ctx.Response.StatusCode = 500; return Task.CompletedTask; });
        var options = Fixtures.Options(stub.BaseUrl);
        options.MaxAttempts = 4;
        using var http = clock.CreateHttp(options);
        var ex = await Assert.ThrowsAsync<ArxivHttpException>(() => http.GetAsync(new Uri(stub.BaseUrl, "oai"), CancellationToken.None));
        Assert.Contains("failed 4 times", ex.Message);
        Assert.Contains("HTTP 500", ex.Message);
        Assert.Equal(4, stub.Requests.Count);
        // Backoff grows: each wait after a failure is longer than the one before (jitter is at most +50 %).
        var backoffs = clock.Delays.Where(d => d >= options.BackoffBase).ToList();
        Assert.Equal(3, backoffs.Count);
        Assert.True(backoffs[1] > backoffs[0] && backoffs[2] > backoffs[1]);
        stub.AssertPolite();
    }

    [Fact]
    public async Task ARedirectToAnotherHostIsNotFollowed()
    {
        var clock = new VirtualClock();
        // The "other host": a listener that would see a connection if the redirect were followed.
        var elsewhere = new TcpListener(System.Net.IPAddress.Loopback, 0);
        elsewhere.Start();
        var port = ((System.Net.IPEndPoint)elsewhere.LocalEndpoint).Port;
        try
        {
            await using var stub = await ArxivStub.StartAsync(clock, Spacing, (ctx, n) =>
            {
                ctx.Response.StatusCode = 302;
                ctx.Response.Headers.Location = $"http://localhost:{port}/steal";
                return Task.CompletedTask;
            });
            using var http = clock.CreateHttp(Fixtures.Options(stub.BaseUrl));
            var ex = await Assert.ThrowsAsync<ArxivHttpException>(() => http.GetAsync(new Uri(stub.BaseUrl, "oai?verb=Identify"), CancellationToken.None));
            Assert.Contains("not one of the configured arXiv hosts", ex.Message);
            Assert.Contains($"localhost:{port}", ex.Message);
            Assert.Single(stub.Requests); // a refused redirect is not retried either
            Assert.False(elsewhere.Pending());
        }
        finally
        {
            elsewhere.Stop();
        }
    }

    [Fact]
    public async Task ARedirectOnAConfiguredHostIsFollowed()
    {
        var clock = new VirtualClock();
        await using var stub = await ArxivStub.StartAsync(clock, Spacing, async (ctx, n) =>
        {
            if (ctx.Request.Path == "/oai")
            {
                ctx.Response.StatusCode = 301;
                ctx.Response.Headers.Location = "/oai2?verb=ListRecords";
                return;
            }
            await ArxivStub.WriteFileAsync(ctx, Fixtures.Oai("hepcrawl_arxiv-single.xml"));
        });
        using var http = clock.CreateHttp(Fixtures.Options(stub.BaseUrl, TimeSpan.Zero));
        var body = await http.GetAsync(new Uri(stub.BaseUrl, "oai?verb=ListRecords"), CancellationToken.None);
        Assert.NotEmpty(body);
        Assert.Equal(["/oai?verb=ListRecords", "/oai2?verb=ListRecords"], stub.Requests);
    }

    [Fact]
    public async Task ClientErrorsAreNotRetried()
    {
        var clock = new VirtualClock();
        await using var stub = await ArxivStub.StartAsync(clock, Spacing, (ctx, n) => { ctx.Response.StatusCode = 400; return Task.CompletedTask; });
        using var http = clock.CreateHttp(Fixtures.Options(stub.BaseUrl));
        await Assert.ThrowsAsync<ArxivHttpException>(() => http.GetAsync(new Uri(stub.BaseUrl, "oai"), CancellationToken.None));
        Assert.Single(stub.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HundredMegabyteBodyIsCutOffAtTheCap(bool announceLength)
    {
        var clock = new VirtualClock();
        const long size = 100L << 20;
        await using var stub = await ArxivStub.StartAsync(clock, Spacing, async (ctx, n) =>
        {
            if (announceLength) ctx.Response.ContentLength = size;
            ctx.Response.ContentType = "text/xml";
            var chunk = Encoding.UTF8.GetBytes(new string('a', 1 << 16));
            try
            {
                await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("<OAI-PMH>"));
                for (long sent = 0; sent < size - 20; sent += chunk.Length) await ctx.Response.Body.WriteAsync(chunk, ctx.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException) { }
        });
        var options = Fixtures.Options(stub.BaseUrl);
        options.MaxResponseBytes = 4L << 20;
        using var http = clock.CreateHttp(options);
        var ex = await Assert.ThrowsAsync<ArxivHttpException>(() => http.GetAsync(new Uri(stub.BaseUrl, "oai"), CancellationToken.None));
        Assert.Contains("cap", ex.Message);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task ExternalEntityIsRefusedWithoutAnyOutboundConnection()
    {
        // A listener the entity points at: if the parser resolved it, this would see a connection.
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        try
        {
            var xml = $"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/secret">]><OAI-PMH>&x;</OAI-PMH>""";
            var ex = Assert.Throws<ArxivFormatException>(() => SafeXml.Load(Encoding.UTF8.GetBytes(xml), "xxe"));
            Assert.Contains("DTD", ex.Message);
            Assert.False(listener.Pending());
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void BillionLaughsIsRefusedBeforeExpansion()
    {
        var sb = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (int i = 1; i < 10; i++) sb.Append($"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? "" : i - 1)};", 10))}\">");
        sb.Append("]><OAI-PMH>&lol9;</OAI-PMH>");
        var ex = Assert.Throws<ArxivFormatException>(() => SafeXml.Load(Encoding.UTF8.GetBytes(sb.ToString()), "lol"));
        Assert.Contains("DTD", ex.Message);
    }

    [Fact]
    public void InvalidUtf8IsReportedWithItsOffset()
    {
        var bytes = Encoding.UTF8.GetBytes("<OAI-PMH>caf\u00e9</OAI-PMH>").ToList();
        bytes.Insert(12, 0xFF);
        var ex = Assert.Throws<ArxivFormatException>(() => SafeXml.Load(bytes.ToArray(), "bad"));
        Assert.Contains("not valid UTF-8", ex.Message);
        Assert.Contains("offset 12", ex.Message);
    }

    [Fact]
    public void EmptyOrTruncatedResponsesAreErrorsNotEmptyPages()
    {
        Assert.Throws<ArxivFormatException>(() => SafeXml.Load(Array.Empty<byte>(), "empty"));
        var full = File.ReadAllBytes(Fixtures.Oai("arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml"));
        Assert.Throws<ArxivFormatException>(() => SafeXml.Load(full.AsMemory(0, full.Length / 2), "truncated"));
    }
}
