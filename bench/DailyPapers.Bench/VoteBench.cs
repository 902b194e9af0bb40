using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DailyPapers.Bench;

/// <summary>
/// Vote load against a real server process on SQLite: N clients toggle upvotes for S seconds through
/// POST /vote (htmx), then the counts are checked against the rows and against every acknowledged toggle.
/// With --kill-after K the server is killed with SIGKILL after K seconds of load, restarted, and every
/// vote acknowledged before the kill must still be there.
/// </summary>
internal static partial class VoteBench
{
    private const string Password = "bench passphrase that is long";

    public static async Task<int> RunAsync(string[] args)
    {
        int clients = 50, seconds = 30, papers = 100;
        // Votes in the first seconds (JIT tiers still compiling, pools filling) are not counted in votes/s.
        int warmup = 5;
        double? killAfter = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--clients": clients = int.Parse(args[++i]); break;
                case "--seconds": seconds = int.Parse(args[++i]); break;
                case "--warmup": warmup = int.Parse(args[++i]); break;
                case "--papers": papers = int.Parse(args[++i]); break;
                case "--kill-after": killAfter = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }
        var dir = Path.Combine(Path.GetTempPath(), "dp-bench-votes-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var db = DatabaseSettings.Resolve(dir, null);
        try
        {
            await ServerApp.MigrateAsync(db);
            var ids = await SeedAsync(db, papers);
            var emails = await CreateUsersAsync(db, clients);
            int port = FreePort();
            var server = StartServer(dir, port);
            var baseUri = new Uri($"http://127.0.0.1:{port}/");
            await WaitUpAsync(baseUri);
            var sessions = await Task.WhenAll(emails.Select(e => LoginAsync(baseUri, e)));
            using (var ctx = db.CreateContext())
                foreach (var (s, e) in sessions.Zip(emails)) s.UserId = ctx.Users.Single(u => u.Email == e).Id;

            // Per (user, paper): the state of the last acknowledged toggle, and whether a request was in flight.
            var acked = new ConcurrentDictionary<(string, string), bool>();
            var inFlight = new ConcurrentDictionary<(string, string), bool>();
            long ok = 0, failed = 0, measured = 0;
            var warm = TimeSpan.FromSeconds(killAfter is null ? warmup : 0);
            var stopAt = warm + TimeSpan.FromSeconds(seconds); // with --kill-after, the load is still running when the server dies
            var sw = Stopwatch.StartNew();
            var load = sessions.Select(s => Task.Run(async () =>
            {
                var rnd = new Random(s.UserId.GetHashCode());
                while (sw.Elapsed < stopAt)
                {
                    var id = ids[rnd.Next(ids.Count)];
                    var key = (s.UserId, id);
                    inFlight[key] = true;
                    try
                    {
                        using var req = new HttpRequestMessage(HttpMethod.Post, $"/vote/{id}")
                        {
                            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = s.Token }),
                        };
                        req.Headers.Add("HX-Request", "true");
                        using var res = await s.Client.SendAsync(req);
                        var body = await res.Content.ReadAsStringAsync();
                        if (res.StatusCode == HttpStatusCode.OK)
                        {
                            acked[key] = body.Contains("aria-pressed=\"true\"", StringComparison.Ordinal);
                            inFlight.TryRemove(key, out _);
                            Interlocked.Increment(ref ok);
                            if (sw.Elapsed >= warm) Interlocked.Increment(ref measured);
                        }
                        else Interlocked.Increment(ref failed);
                    }
                    catch (HttpRequestException) when (killAfter is not null)
                    {
                        return; // the server was killed under us: this request's fate is unknown, and stays in inFlight
                    }
                }
            })).ToList();

            if (killAfter is not null)
            {
                await Task.Delay(TimeSpan.FromSeconds(killAfter.Value));
                server.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flush
                await server.WaitForExitAsync();
                Console.WriteLine($"killed server pid={server.Id} after {sw.Elapsed.TotalSeconds:F1} s");
            }
            await Task.WhenAll(load);
            var elapsed = sw.Elapsed;
            if (killAfter is null) { server.Kill(entireProcessTree: true); await server.WaitForExitAsync(); }

            // Restart on the same data (as an operator would after a crash) and read back through it.
            var again = StartServer(dir, port);
            await WaitUpAsync(baseUri);
            int lost = 0, doubled = 0, mismatched = 0, checkedPairs = 0;
            using (var ctx = db.CreateContext())
            {
                var rows = ctx.Set<Vote>().Join(ctx.Papers, v => v.PaperId, p => p.Id, (v, p) => new { v.UserId, p.ArxivId }).AsEnumerable()
                    .Select(x => (x.UserId, x.ArxivId)).ToHashSet();
                foreach (var (key, voted) in acked)
                {
                    if (inFlight.ContainsKey(key)) continue; // a later toggle was sent but never answered
                    checkedPairs++;
                    if (voted && !rows.Contains(key)) lost++;
                    if (!voted && rows.Contains(key)) doubled++;
                }
                foreach (var p in ctx.Papers.Select(p => new { p.Id, p.Upvotes }).ToList())
                    if (ctx.Set<Vote>().Count(v => v.PaperId == p.Id) != p.Upvotes) mismatched++;
            }
            again.Kill(entireProcessTree: true);
            await again.WaitForExitAsync();

            Console.WriteLine($"engine=Sqlite clients={clients} papers={papers} warmup_s={warm.TotalSeconds:F0} seconds={(elapsed - warm).TotalSeconds:F1} acknowledged_votes={ok} failed={failed} votes_per_s={measured / (elapsed - warm).TotalSeconds:F0}");
            Console.WriteLine($"checked_pairs={checkedPairs} lost_acknowledged={lost} extra_after_unvote={doubled} papers_with_count_mismatch={mismatched} unanswered_at_end={inFlight.Count}");
            return lost + doubled + mismatched == 0 ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private sealed class Session(HttpClient client, string token)
    {
        public HttpClient Client { get; } = client;
        public string Token { get; } = token;
        public string UserId { get; set; } = "";
    }

    private static async Task<List<string>> SeedAsync(DatabaseSettings db, int count)
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var records = Enumerable.Range(1, count).Select(i => new PaperRecord
        {
            ArxivId = $"2501.{i:00000}", Title = $"Paper {i}", Abstract = "Abstract.", Authors = [new AuthorName("A. Author")],
            Categories = ["cs.LG"], Versions = [new VersionInfo(1, DateTime.UtcNow)], AnnouncedOn = day,
        }).ToList();
        await new PaperUpsert(db).UpsertAsync(records);
        return records.ConvertAll(r => r.ArxivId);
    }

    internal static async Task<List<string>> CreateUsersAsync(DatabaseSettings db, int count, string prefix = "voter")
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(db);
        db.AddTo(services);
        CommunitySetup.AddAccountStores(services, db, identityCore: true);
        await using var sp = services.BuildServiceProvider();
        var emails = new List<string>();
        for (int i = 0; i < count; i++)
        {
            await using var scope = sp.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var email = $"{prefix}{i}@bench.test";
            if (await users.FindByEmailAsync(email) is not null) { emails.Add(email); continue; } // a kept bench instance has them already
            var r = await users.CreateAsync(new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = $"{prefix}{i}" }, Password);
            if (!r.Succeeded) throw new InvalidOperationException(string.Join(" ", r.Errors.Select(e => e.Description)));
            emails.Add(email);
        }
        return emails;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private static async Task<Session> LoginAsync(Uri baseUri, string email)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = baseUri };
        var page = await client.GetStringAsync("/account/login");
        var token = WebUtility.HtmlDecode(TokenPattern().Match(page).Groups[1].Value);
        var res = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = email, ["password"] = Password, ["__RequestVerificationToken"] = token,
        }));
        if (res.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"login of {email} failed: {(int)res.StatusCode}");
        // The token is bound to the signed-in user: fetch a fresh one after logging in.
        var list = await client.GetStringAsync("/papers/date/" + DateTime.UtcNow.ToString("yyyy-MM-dd"));
        return new Session(client, WebUtility.HtmlDecode(TokenPattern().Match(list).Groups[1].Value));
    }

    internal static Process StartServer(string dataDir, int port, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "dailypapers.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "serve", "--data-dir", dataDir, "--urls", $"http://127.0.0.1:{port}" }) psi.ArgumentList.Add(a);
        psi.Environment["DAILYPAPERS_Community__AuthAttemptsPerIpPerMinute"] = "10000";
        psi.Environment["DAILYPAPERS_Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine("server: " + line); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    internal static async Task WaitUpAsync(Uri baseUri)
    {
        using var http = new HttpClient { BaseAddress = baseUri };
        for (int i = 0; i < 300; i++)
        {
            try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return; }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("server did not start");
    }

    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
