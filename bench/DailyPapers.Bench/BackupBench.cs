using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using DailyPapers.Api;
using DailyPapers.Data;
using DailyPapers.Web;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Bench;

/// <summary>
/// A backup of a large instance while it serves votes (issue 17): the real server runs as a child process on the data
/// dir; members send a fixed rate of vote toggles through /api/v1 (PUT, then DELETE, on random papers); after a
/// warm-up <c>dailypapers backup</c> runs as its own process. Prints the backup's time and size and the votes' latency
/// before and during it; with --restore, also restores the archive into a fresh folder and times that.
/// </summary>
internal static class BackupBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? data = null, output = null;
        double rate = 50;
        int clients = 10, warmup = 20, after = 5;
        bool restore = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data-dir": data = args[++i]; break;
                case "--out": output = args[++i]; break;
                case "--rate": rate = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--clients": clients = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--after": after = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--restore": restore = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (data is null)
        {
            Console.Error.WriteLine("usage: bench backup-load --data-dir DIR [--out FILE] [--rate 50] [--clients 10] [--warmup 20] [--after 5] [--restore]");
            return 2;
        }
        output = Path.GetFullPath(output ?? Path.Combine(Path.GetTempPath(), "dp-bench-backup.tar.gz"));
        var db = DatabaseSettings.Resolve(data, null);
        await ServerApp.MigrateAsync(db);
        var emails = await VoteBench.CreateUsersAsync(db, clients, "backup-voter");
        var tokens = new List<string>();
        List<string> ids;
        long papers;
        await using (var ctx = db.CreateContext())
        {
            foreach (var email in emails)
            {
                var user = await ctx.Users.SingleAsync(u => u.Email == email);
                tokens.Add((await ApiTokens.CreateAsync(ctx, user.Id, "backup bench", ApiScope.Write)).Secret);
            }
            papers = await ctx.Papers.LongCountAsync();
            ids = await ctx.Papers.OrderBy(p => EF.Functions.Random()).Take(5000).Select(p => p.ArxivId).ToListAsync();
        }
        long dbBytes = new[] { "", "-wal" }.Select(s => new FileInfo(db.SqlitePath + s)).Where(f => f.Exists).Sum(f => f.Length);

        int port = VoteBench.FreePort();
        var server = VoteBench.StartServer(db.DataDir, port, new Dictionary<string, string>
        {
            // Only the votes and the backup share the two cores: no embedding, harvest or digest work in the background.
            ["DAILYPAPERS_Search__Embeddings"] = "false",
            ["DAILYPAPERS_Harvest__Enabled"] = "false",
            ["DAILYPAPERS_Digest__SchedulerEnabled"] = "false",
            ["DAILYPAPERS_Api__RatePermits"] = "1000000",
        });
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        try
        {
            await VoteBench.WaitUpAsync(baseUri);
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
            var voted = new ConcurrentDictionary<(int, string), bool>();
            var samples = new ConcurrentQueue<(double StartS, double Ms, bool Ok)>();
            var sw = Stopwatch.StartNew();
            var rnd = new Random(17);
            bool stop = false;
            double backupStart = double.NaN, backupEnd = double.NaN;
            var pending = new ConcurrentDictionary<long, Task>();

            async Task VoteAsync(long n)
            {
                int client = (int)(n % clients);
                string id;
                lock (rnd) id = ids[rnd.Next(ids.Count)];
                var key = (client, id);
                bool up = !voted.GetValueOrDefault(key);
                using var req = new HttpRequestMessage(up ? HttpMethod.Put : HttpMethod.Delete, $"api/v1/papers/{Uri.EscapeDataString(id)}/vote");
                req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[client]);
                var start = sw.Elapsed.TotalSeconds;
                bool ok;
                try
                {
                    using var res = await http.SendAsync(req);
                    ok = res.IsSuccessStatusCode;
                }
                catch (HttpRequestException) { ok = false; }
                if (ok) voted[key] = up;
                samples.Enqueue((start, (sw.Elapsed.TotalSeconds - start) * 1000, ok));
            }

            // A fixed rate, whatever the answers take: one toggle every 1/rate s, sent without waiting for the previous.
            var load = Task.Run(async () =>
            {
                for (long n = 0; !Volatile.Read(ref stop); n++)
                {
                    var wait = TimeSpan.FromSeconds(n / rate) - sw.Elapsed;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait);
                    var t = VoteAsync(n);
                    pending[n] = t;
                    _ = t.ContinueWith(_ => pending.TryRemove(n, out Task? _), TaskScheduler.Default);
                }
            });

            await Task.Delay(TimeSpan.FromSeconds(warmup));
            backupStart = sw.Elapsed.TotalSeconds;
            var backup = await DailyPapersAsync("--data-dir", db.DataDir, "backup", "--out", output, "--overwrite");
            backupEnd = sw.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(after));
            Volatile.Write(ref stop, true);
            await load;
            await Task.WhenAll(pending.Values);
            if (backup.ExitCode != 0)
            {
                Console.Error.WriteLine($"backup failed ({backup.ExitCode}): {backup.Err}");
                return 1;
            }

            var all = samples.ToArray();
            // The 10 s before the backup: the first seconds are JIT, pools and page cache.
            var before = all.Where(s => s.StartS >= backupStart - 10 && s.StartS < backupStart).ToArray();
            var during = all.Where(s => s.StartS >= backupStart && s.StartS < backupEnd).ToArray();
            Console.WriteLine($"papers={papers} database_bytes={dbBytes} archive_bytes={Value(backup.Out, "bytes")} backup_wall_s={backupEnd - backupStart:F1} backup_reported_s={Value(backup.Out, "seconds")} copy_s={Value(backup.Out, "copy_seconds")}");
            Console.WriteLine($"votes_target_per_s={rate} clients={clients} sent={all.Length} failed={all.Count(s => !s.Ok)}");
            Print("before_backup", before, Math.Min(10, backupStart));
            Print("during_backup", during, backupEnd - backupStart);
            if (all.Any(s => !s.Ok)) return 1;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        if (restore)
        {
            var into = Path.Combine(Path.GetTempPath(), "dp-bench-restore-" + Environment.ProcessId);
            try
            {
                var sw = Stopwatch.StartNew();
                var r = await DailyPapersAsync("--data-dir", into, "restore", output);
                if (r.ExitCode != 0) { Console.Error.WriteLine($"restore failed ({r.ExitCode}): {r.Err}"); return 1; }
                Console.WriteLine($"restore_wall_s={sw.Elapsed.TotalSeconds:F1} restored_papers={Value(r.Out, "papers")} indexed={Value(r.Out, "indexed")} index_s={Value(r.Out, "index_seconds")}");
            }
            finally
            {
                try { Directory.Delete(into, true); } catch (IOException) { }
            }
        }
        return 0;
    }

    private static void Print(string phase, (double StartS, double Ms, bool Ok)[] s, double seconds)
    {
        if (s.Length == 0) { Console.WriteLine($"{phase}: no votes"); return; }
        var l = SearchSpeedBench.Summarize(s.Where(x => x.Ok).Select(x => x.Ms), seconds);
        Console.WriteLine($"{phase}: votes={s.Length} votes_per_s={l.Qps:F1} p50_ms={l.P50:F1} p95_ms={l.P95:F1} p99_ms={l.P99:F1} max_ms={s.Max(x => x.Ms):F1} failed={s.Count(x => !x.Ok)}");
    }

    private static string Value(string output, string name) =>
        output.Split('\n').FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..].Trim() ?? "?";

    private sealed record Run(int ExitCode, string Out, string Err);

    private static async Task<Run> DailyPapersAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dailypapers.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return new Run(p.ExitCode, await stdout, await stderr);
    }
}
