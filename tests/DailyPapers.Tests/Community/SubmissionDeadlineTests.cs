using System.Net;
using System.Net.Sockets;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

/// <summary>A submission waits on arXiv for at most the interactive deadline, and does not ask it about ids too old by their number.</summary>
public sealed class SubmissionDeadlineTests
{
    /// <summary>An "arXiv" that accepts connections and never answers: the worst case for someone waiting on the form.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _held = [];
        private int _connections;

        public SilentServer()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public string ApiUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/api/query";
        public int Connections => Volatile.Read(ref _connections);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var c = await _listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref _connections);
                    lock (_held) _held.Add(c);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_held) foreach (var c in _held) c.Dispose();
        }
    }

    private static Task<TestServer> StartAsync(string engine, SilentServer arxiv) => CommunityKit.StartAsync(engine, b =>
    {
        b.Configuration["Arxiv:ApiBaseUrl"] = arxiv.ApiUrl;
        b.Configuration["Arxiv:MinSpacing"] = "00:00:00";
        // The harvest's own budget stays long: only the interactive deadline may end the wait.
        b.Configuration["Arxiv:RequestTimeout"] = "00:01:00";
        b.Configuration["Arxiv:MaxAttempts"] = "3";
        b.Configuration["Arxiv:InteractiveTimeout"] = "00:00:01";
    });

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ArxivNeverAnsweringGivesAClearAnswerAtTheDeadline(string engine)
    {
        using var arxiv = new SilentServer();
        await using var server = await StartAsync(engine, arxiv);
        var email = UniqueEmail("deadline");
        await CreateMemberAsync(server, email);
        var client = await LoggedInClientAsync(server, email);

        var res = await PostFormAsync(client, "/submit", "/submit", new() { ["id"] = $"{SubmissionTests.ThisMonth}.00001" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, res.StatusCode);
        var html = await res.Content.ReadAsStringAsync();
        Assert.Contains("arXiv did not answer within 1 second", html);
        Assert.Contains("Nothing was saved", html);
        Assert.Equal(1, arxiv.Connections); // one attempt, no retries
    }

    [Fact]
    public async Task ASubmissionDoesNotQueueBehindAHarvestRequestWaitingOnArxiv()
    {
        using var arxiv = new SilentServer();
        await using var server = await StartAsync(TestDatabase.Sqlite, arxiv);
        var email = UniqueEmail("behind");
        await CreateMemberAsync(server, email);
        var client = await LoggedInClientAsync(server, email);
        // The process's one door to arXiv is busy with a harvest request that will wait a minute per attempt.
        using var stopHarvest = new CancellationTokenSource();
        var harvest = server.App.Services.GetRequiredService<ArxivHttp>().GetAsync(new Uri(arxiv.ApiUrl + "?search_query=cat:cs.LG"), stopHarvest.Token);
        while (arxiv.Connections == 0) await Task.Delay(20);

        var res = await PostFormAsync(client, "/submit", "/submit", new() { ["id"] = $"{SubmissionTests.ThisMonth}.00002" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, res.StatusCode);
        Assert.Contains("did not answer within 1 second", await res.Content.ReadAsStringAsync());
        Assert.False(harvest.IsCompleted, "the harvest request was still waiting: the submission did not wait for it");
        stopHarvest.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harvest);
    }

    [Theory]
    [InlineData("2401.00001")]                       // January 2024
    [InlineData("https://arxiv.org/abs/2410.12345v2")]
    [InlineData("hep-th/9901001")]                   // old style, 1999
    public async Task AnIdTooOldByItsNumberIsRefusedWithoutAskingArxiv(string id)
    {
        using var arxiv = new SilentServer();
        await using var server = await StartAsync(TestDatabase.Sqlite, arxiv);
        var email = UniqueEmail("old");
        await CreateMemberAsync(server, email);
        var client = await LoggedInClientAsync(server, email);

        var res = await PostFormAsync(client, "/submit", "/submit", new() { ["id"] = id });

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var html = await res.Content.ReadAsStringAsync();
        Assert.Contains("its number says so", html);
        Assert.Contains("last 14 days", html);
        Assert.Equal(0, arxiv.Connections);
    }
}
