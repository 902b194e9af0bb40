using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Ingest;
using DailyPapers.Mail;
using DailyPapers.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DailyPapers.Bench;

/// <summary>
/// Builds and hands over one daily digest to N confirmed synthetic subscribers (10% with category preferences,
/// 5% with a keyword query) through a local SMTP sink, and prints the time and peak memory.
/// </summary>
internal static class DigestBench
{
    private static readonly DateOnly Day = new(2019, 12, 2);

    public static async Task<int> RunAsync(string[] args)
    {
        string? database = null;
        int subscribers = 100_000;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--database") database = args[++i];
            else if (args[i] == "--subscribers") subscribers = int.Parse(args[++i]);
        }
        var dir = Path.Combine(Path.GetTempPath(), "dp-bench-digest-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        using var sink = new CountingSmtpSink();
        try
        {
            var db = DatabaseSettings.Resolve(dir, database);
            await ServerApp.MigrateAsync(db);
            await SeedPapersAsync(db);
            var seed = Stopwatch.StartNew();
            await SeedSubscribersAsync(db, subscribers);
            Console.WriteLine($"engine={db.Provider} seeded_subscribers={subscribers} seed_seconds={seed.Elapsed.TotalSeconds:F1}");

            var digest = Options.Create(new DigestSettings { PublicBaseUrl = "https://papers.example.org" });
            var mail = Options.Create(new MailSettings { Host = "127.0.0.1", Port = sink.Port, Tls = MailKit.Security.SecureSocketOptions.None });
            var links = new DigestLinks(digest, db);
            var runner = new DigestRunner(db, digest, mail, new DigestMail(links, mail, digest), NullLogger<DigestRunner>.Instance);

            GC.Collect();
            var baseline = Process.GetCurrentProcess().WorkingSet64;
            long peak = baseline;
            using var sampler = new Timer(_ => { var ws = Environment.WorkingSet; if (ws > Interlocked.Read(ref peak)) Interlocked.Exchange(ref peak, ws); }, null, 0, 200);
            var sw = Stopwatch.StartNew();
            var result = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, Day));
            sw.Stop();
            Console.WriteLine($"engine={db.Provider} outcome={result.Outcome} recipients={result.Recipients} sent={result.Sent} smtp_accepted={sink.Accepted} " +
                              $"seconds={sw.Elapsed.TotalSeconds:F1} messages_per_s={result.Sent / sw.Elapsed.TotalSeconds:F0} " +
                              $"working_set_before_mb={baseline / 1048576} peak_working_set_during_send_mb={Interlocked.Read(ref peak) / 1048576} " +
                              $"peak_working_set_process_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1048576}");
            return result.Outcome == DigestOutcome.Complete && sink.Accepted == subscribers ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>The 1,000-paper sample, 150 of them announced on the bench day (about a real day's volume), with upvotes.</summary>
    private static async Task SeedPapersAsync(DatabaseSettings db)
    {
        var records = new List<PaperRecord>();
        foreach (var line in File.ReadLines(Path.Combine(SharedDataFolder.Location, "arxiv", "arxiv-sample-1000.jsonl")))
        {
            if (KaggleSnapshot.Parse(Encoding.UTF8.GetBytes(line), out _) is not { } r) continue;
            records.Add(records.Count < 150 ? r with { AnnouncedOn = Day } : r);
        }
        await new PaperUpsert(db).UpsertAsync(records);
        await using var ctx = db.CreateContext();
        // Upvotes come from the community, not the metadata: give the day's papers a spread to rank.
        await ctx.Database.ExecuteSqlRawAsync("UPDATE papers SET \"Upvotes\" = (\"Id\" * 37) % 101");
    }

    private static async Task SeedSubscribersAsync(DatabaseSettings db, int n)
    {
        string[] cats = ["cs.CL", "cs.LG", "stat.ML", "math.OC", "cs.IT", "q-bio", "cs.DS", "econ", "eess", "cs.CR"];
        string[] words = ["neural", "graph", "quantum", "privacy", "optimization"];
        const int chunk = 10_000;
        for (int start = 0; start < n; start += chunk)
        {
            await using var ctx = db.CreateContext();
            ctx.ChangeTracker.AutoDetectChangesEnabled = false;
            var now = DateTime.UtcNow;
            for (int i = start; i < Math.Min(n, start + chunk); i++)
            {
                ctx.Add(new Subscription
                {
                    Email = $"bench{i}@bench.example", State = SubscriptionState.Confirmed, Frequency = DigestFrequency.Daily,
                    CreatedAt = now, ConfirmedAt = now,
                    Categories = i % 10 == 0 ? cats[i / 10 % cats.Length] : "",
                    Keywords = i % 20 == 5 ? words[i / 20 % words.Length] : "",
                });
            }
            await ctx.SaveChangesAsync();
        }
    }

    /// <summary>A minimal SMTP server that accepts everything and counts messages: the bench measures our side, not a mail store.</summary>
    private sealed class CountingSmtpSink : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _cts = new();
        private int _accepted;

        public CountingSmtpSink()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Accepted => Volatile.Read(ref _accepted);

        private async Task AcceptAsync()
        {
            while (!_cts.IsCancellationRequested)
            {
                try { _ = ServeAsync(await _listener.AcceptTcpClientAsync(_cts.Token)); }
                catch (Exception) { return; }
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            // Replies to a pipelined MAIL/RCPT/DATA go out at once, as a real MTA's would; with Nagle they wait for delayed ACKs.
            client.NoDelay = true;
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.UTF8);
                var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 bench");
                while (await reader.ReadLineAsync(_cts.Token) is { } line)
                {
                    var cmd = line.Length >= 4 ? line[..4].ToUpperInvariant() : line;
                    if (cmd == "EHLO") { await writer.WriteLineAsync("250-bench"); await writer.WriteLineAsync("250-PIPELINING"); await writer.WriteLineAsync("250 8BITMIME"); }
                    else if (cmd == "DATA")
                    {
                        await writer.WriteLineAsync("354 go ahead");
                        while (await reader.ReadLineAsync(_cts.Token) is { } d && d != ".") { }
                        Interlocked.Increment(ref _accepted);
                        await writer.WriteLineAsync("250 queued");
                    }
                    else if (cmd == "QUIT") { await writer.WriteLineAsync("221 bye"); return; }
                    else await writer.WriteLineAsync("250 ok");
                }
            }
            catch (Exception) { /* client gone */ }
        }

        public void Dispose()
        {
            _cts.Cancel();
            _listener.Stop();
        }
    }
}
