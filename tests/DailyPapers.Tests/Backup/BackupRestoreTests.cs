using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DailyPapers.Api;
using DailyPapers.Backup;
using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Ingest;
using DailyPapers.Tests.Community;
using DailyPapers.Tests.Support;
using DailyPapers.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static DailyPapers.Tests.Support.CliProcess;

namespace DailyPapers.Tests.Backup;

/// <summary>
/// The backup drill: a backup taken by the CLI while members vote and comment through the API, restored by the CLI
/// into a fresh data dir (and database), and a server started on it: the rows are the manifest's, the members, their
/// sign-in cookies, API tokens and digest links still work, and search finds papers.
/// </summary>
public sealed class BackupRestoreTests
{
    private static void Configure(WebApplicationBuilder b)
    {
        b.Configuration["Api:RatePermits"] = "1000000";
        b.Configuration["Community:CommentsPerUserPer10Minutes"] = "10000";
        b.Configuration["Search:Embeddings"] = "false";
        b.Configuration["Digest:SchedulerEnabled"] = "false";
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ABackupTakenUnderWriteLoadRestoresIntoAWorkingInstance(string engine)
    {
        await using var server = await CommunityKit.StartAsync(engine, Configure);
        var db = server.Database.Settings;
        await new SnapshotImport(server.App.Services.GetRequiredService<PaperUpsert>()).RunAsync(TestEnv.Sample1000);
        var sample = SampleFile.Read();

        // A member with a password, a signed-in browser session, a write token, a confirmed and a pending subscription.
        var ada = CommunityKit.UniqueEmail("ada");
        var adaUser = await CommunityKit.CreateMemberAsync(server, ada, "Ada");
        var cookies = new CookieContainer();
        using (var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = server.BaseAddress })
        {
            var login = await CommunityKit.PostFormAsync(browser, "/account/login", "/account/login", new() { ["email"] = ada, ["password"] = CommunityKit.Password });
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/tokens")).StatusCode);
        }
        string adaToken;
        long confirmedId;
        var (confirmToken, confirmHash) = DigestLinks.NewToken();
        var pending = CommunityKit.UniqueEmail("pending");
        await using (var ctx = db.CreateContext())
        {
            adaToken = (await ApiTokens.CreateAsync(ctx, adaUser.Id, "drill", ApiScope.Write)).Secret;
            var confirmed = new Subscription { Email = ada, State = SubscriptionState.Confirmed, CreatedAt = DateTime.UtcNow, ConfirmedAt = DateTime.UtcNow };
            ctx.Add(confirmed);
            ctx.Add(new Subscription { Email = pending, CreatedAt = DateTime.UtcNow, ConfirmTokenHash = confirmHash, ConfirmTokenExpiresAt = DateTime.UtcNow.AddHours(48) });
            await ctx.SaveChangesAsync();
            confirmedId = confirmed.Id;
        }
        var unsubscribe = new Uri(server.App.Services.GetRequiredService<DigestLinks>().UnsubscribeUrl(confirmedId)).PathAndQuery;

        // Write load: three members upvote papers one after another (each vote a new row) and comment on every fifth.
        var writers = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var user = await CommunityKit.CreateMemberAsync(server, CommunityKit.UniqueEmail("voter"), $"Voter {i}");
            await using var ctx = db.CreateContext();
            writers.Add((await ApiTokens.CreateAsync(ctx, user.Id, "load", ApiScope.Write)).Secret);
        }
        long acknowledged = 0;
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var load = writers.Select((token, w) => Task.Run(async () =>
        {
            for (int n = 0; !stop.IsCancellationRequested; n++)
            {
                var id = Uri.EscapeDataString(sample[(n * 7 + w * 331) % sample.Count].Id);
                using var req = n % 5 == 4
                    ? new HttpRequestMessage(HttpMethod.Post, $"api/v1/papers/{id}/comments") { Content = JsonContent.Create(new { markdown = $"Comment {n} by writer {w}" }) }
                    : new HttpRequestMessage(HttpMethod.Put, $"api/v1/papers/{id}/vote");
                req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var res = await server.Client.SendAsync(req, CancellationToken.None);
                if (res.IsSuccessStatusCode) Interlocked.Increment(ref acknowledged);
                else failures.Enqueue($"{req.Method} {req.RequestUri}: {(int)res.StatusCode} {await res.Content.ReadAsStringAsync()}");
            }
        })).ToList();

        var work = TestEnv.NewTempDir("dp-backup");
        var archive = Path.Combine(work, "drill.tar.gz");
        var dbArgs = engine == TestDatabase.Postgres ? new[] { "--database", db.ConnectionString } : [];
        await WaitUntilAsync(() => Interlocked.Read(ref acknowledged) >= 30);
        long before = Interlocked.Read(ref acknowledged);
        var backup = await DailyPapersAsync(work, ["--data-dir", server.Database.DataDir, .. dbArgs, "backup", "--out", "drill.tar.gz"]);
        long after = Interlocked.Read(ref acknowledged);
        await WaitUntilAsync(() => Interlocked.Read(ref acknowledged) >= after + 30); // and the load goes on after it
        stop.Cancel();
        await Task.WhenAll(load);
        Assert.True(backup.ExitCode == 0, backup.Err);
        Assert.Empty(failures);
        Assert.True(after > before, "no write was acknowledged while the backup ran");
        Assert.Equal(archive, backup.Value("backup"));

        var manifest = ReadManifest(archive);
        Assert.Equal(engine, manifest.Engine);
        Assert.Equal(1000, manifest.Counts["papers"]);
        Assert.Contains(manifest.Files, f => f.Path.StartsWith("keys/", StringComparison.Ordinal));
        Assert.Contains(manifest.Files, f => f.Path == DigestLinks.KeyFileName);
        await using (var live = db.CreateContext())
        {
            // The copy is of one instant between the first and the last write.
            var votesNow = await live.Set<Vote>().CountAsync();
            Assert.InRange(manifest.Counts["votes"], 1, votesNow - 1);
            Assert.Equal(manifest.Counts["votes"].ToString(), backup.Value("votes"));
        }

        // Restore into a fresh data dir (and a new, empty PostgreSQL database).
        var restoredDir = Path.Combine(work, "restored");
        string? restoredDatabase = null, restoredConnection = null;
        if (engine == TestDatabase.Postgres)
        {
            // Into the live, non-empty database: refused before anything is written.
            var refused = await DailyPapersAsync(work, "--data-dir", restoredDir, "--database", db.ConnectionString, "restore", archive);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("not empty", refused.Err);
            Assert.False(Directory.Exists(restoredDir));
            (restoredDatabase, restoredConnection) = await CreateEmptyPostgresAsync();
        }
        try
        {
            var restore = await DailyPapersAsync(work, ["--data-dir", restoredDir, .. (restoredConnection is null ? [] : new[] { "--database", restoredConnection }), "restore", archive]);
            Assert.True(restore.ExitCode == 0, restore.Err);
            Assert.Equal("1000", restore.Value("indexed"));
            var restoredDb = DatabaseSettings.Resolve(restoredDir, restoredConnection);
            Assert.Equal(manifest.Counts, await CountRowsAsync(restoredDb));
            await using (var ctx = restoredDb.CreateContext())
                Assert.Equal(manifest.Counts["votes"], await ctx.Papers.SumAsync(p => (long)p.Upvotes)); // the copy is not torn
            Assert.True(Directory.Exists(Path.Combine(restoredDir, "search", "lucene")));

            await using var restored = await StartOnAsync(restoredDb);
            using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = restored.Address };

            // The member signs in with the password; the session cookie issued before the backup is still accepted.
            using (var fresh = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = restored.Address })
            {
                var login = await CommunityKit.PostFormAsync(fresh, "/account/login", "/account/login", new() { ["email"] = ada, ["password"] = CommunityKit.Password });
                Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            }
            Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("/account/tokens")).StatusCode);
            using (var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = restored.Address })
                Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/tokens")).StatusCode);

            // The API token, the signed unsubscribe link and the pending confirmation link.
            using (var req = new HttpRequestMessage(HttpMethod.Get, "api/v1/submissions"))
            {
                req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adaToken);
                Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(req)).StatusCode);
            }
            using (var req = new HttpRequestMessage(HttpMethod.Get, "api/v1/submissions"))
            {
                req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "dp_not_a_token");
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(req)).StatusCode);
            }
            var unsub = await anonymous.GetAsync(unsubscribe);
            Assert.Equal(HttpStatusCode.OK, unsub.StatusCode);
            Assert.Contains(ada, await unsub.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(unsubscribe[..^4] + "AAAA")).StatusCode);
            var confirm = await anonymous.GetAsync("/digest/confirm?token=" + Uri.EscapeDataString(confirmToken));
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            Assert.Contains(pending, await confirm.Content.ReadAsStringAsync());

            // Search finds papers (keyword: the embedding model is off in this test).
            var word = sample.SelectMany(e => e.Title.Split(' ')).First(w => w.Length >= 8 && w.All(char.IsLetter));
            var search = await anonymous.GetFromJsonAsync<JsonElement>($"api/v1/papers/search?q={Uri.EscapeDataString(word)}&mode=keyword");
            Assert.True(search.GetProperty("total").GetInt32() > 0, $"no result for '{word}'");
            Assert.Contains(search.GetProperty("results").EnumerateArray(), r => r.GetProperty("title").GetString()!.Contains(word, StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            if (restoredDatabase is not null) await DropPostgresAsync(restoredDatabase);
            SqliteClear();
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public async Task BadInputsGetAMessageAndANonZeroExitAndRestoreWritesNothing()
    {
        var work = TestEnv.NewTempDir("dp-backup");
        var source = Path.Combine(work, "source");
        Assert.Equal(0, (await DailyPapersAsync(work, "--data-dir", source, "import", TestEnv.Sample1000)).ExitCode);

        // Backup: no database to copy, an archive already there.
        var none = await DailyPapersAsync(work, "--data-dir", "nothing-here", "backup", "--out", "x.tar.gz");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains(Path.Combine(work, "nothing-here", "dailypapers.db"), none.Err);
        Assert.False(Directory.Exists(Path.Combine(work, "nothing-here")));
        Assert.False(File.Exists(Path.Combine(work, "x.tar.gz")));
        Assert.Equal(0, (await DailyPapersAsync(work, "--data-dir", source, "backup", "--out", "good.tar.gz")).ExitCode);
        var again = await DailyPapersAsync(work, "--data-dir", source, "backup", "--out", "good.tar.gz");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--overwrite", again.Err);
        var good = Path.Combine(work, "good.tar.gz");
        var bytes = await File.ReadAllBytesAsync(good);

        // Restore: a missing file names the full path.
        var missing = await DailyPapersAsync(work, "--data-dir", "r", "restore", "nope.tar.gz");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no such file: " + Path.Combine(work, "nope.tar.gz"), missing.Err);

        // Cut short anywhere (inside the manifest, the database, the last key file) or with one byte changed.
        var bad = new Dictionary<string, byte[]>
        {
            ["cut-1pct"] = bytes[..(bytes.Length / 100)],
            ["cut-50pct"] = bytes[..(bytes.Length / 2)],
            ["cut-last-byte"] = bytes[..^1],
            ["flipped"] = bytes.ToArray(),
            ["empty"] = [],
            ["not-gzip"] = "this is not an archive"u8.ToArray(),
        };
        bad["flipped"][bytes.Length / 2] ^= 0x55;
        foreach (var (name, content) in bad)
        {
            var file = Path.Combine(work, name + ".tar.gz");
            await File.WriteAllBytesAsync(file, content);
            var run = await DailyPapersAsync(work, "--data-dir", "r-" + name, "restore", file);
            Assert.True(run.ExitCode == 1, $"{name}: exit {run.ExitCode}, {run.Out} {run.Err}");
            Assert.Contains("nothing was restored", run.Err);
            Assert.DoesNotContain("   at ", run.Err);
            Assert.False(Directory.Exists(Path.Combine(work, "r-" + name)), $"{name}: the data dir was created");
        }

        // A data dir that is not empty is left as it was.
        var occupied = Path.Combine(work, "occupied");
        Directory.CreateDirectory(occupied);
        await File.WriteAllTextAsync(Path.Combine(occupied, "notes.txt"), "mine");
        var refused = await DailyPapersAsync(work, "--data-dir", occupied, "restore", good);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("not empty", refused.Err);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(occupied).Select(Path.GetFileName));

        // None of the refused restores left a staging folder behind; the good archive still restores, into an existing empty folder too.
        Assert.DoesNotContain(Directory.GetFileSystemEntries(work), e => Path.GetFileName(e).Contains(".restore-", StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(work, "empty"));
        var ok = await DailyPapersAsync(work, "--data-dir", "empty", "restore", "good.tar.gz");
        Assert.True(ok.ExitCode == 0, ok.Err);
        Assert.Equal("1000", ok.Value("papers"));
        var stats = await DailyPapersAsync(work, "--data-dir", "empty", "stats");
        Assert.Contains("papers: 1000", stats.Out);
        SqliteClear();
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task WithoutPgDumpAPostgresBackupSaysWhereTheProcedureIsAndExits4()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Postgres);
        var work = TestEnv.NewTempDir("dp-backup");
        var empty = Directory.CreateDirectory(Path.Combine(work, "bin")).FullName;
        // PATH only reaches the child: dotnet itself is found by this process.
        var run = await RunAsync(work, new Dictionary<string, string?> { ["PATH"] = empty, ["DAILYPAPERS_PG_BIN"] = null },
            "dotnet", Dll, "--data-dir", db.DataDir, "--database", db.Settings.ConnectionString, "backup", "--out", "pg.tar.gz");
        Assert.Equal(BackupException.ToolFailed, run.ExitCode);
        Assert.Contains("pg_dump was not found", run.Err);
        Assert.Contains("docs/operations.md", run.Err);
        Assert.Equal([empty], Directory.GetFileSystemEntries(work)); // no archive, no partial folder
        Directory.Delete(work, true);
    }

    private static BackupManifest ReadManifest(string archive)
    {
        using var tar = new TarReader(new GZipStream(File.OpenRead(archive), CompressionMode.Decompress));
        var first = tar.GetNextEntry()!;
        Assert.Equal(BackupManifest.FileName, first.Name);
        using var ms = new MemoryStream();
        first.DataStream!.CopyTo(ms);
        return BackupManifest.Parse(ms.ToArray());
    }

    private static async Task<SortedDictionary<string, long>> CountRowsAsync(DatabaseSettings db)
    {
        await using var conn = db.CreateConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
        return await InstanceBackup.CountRowsAsync(conn, null, db.Provider, CancellationToken.None);
    }

    private sealed record Restored(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>The real app on the restored data, configured as the original was.</summary>
    private static async Task<Restored> StartOnAsync(DatabaseSettings db)
    {
        var app = ServerApp.Create(db, ["--urls", "http://127.0.0.1:0", "--environment", "Production"], b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Configuration["Harvest:Enabled"] = "false";
            b.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
            Configure(b);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Restored(app, new Uri(address.TrimEnd('/') + "/"));
    }

    private static async Task<(string Name, string Connection)> CreateEmptyPostgresAsync()
    {
        var name = "dp_restore_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = new NpgsqlConnection(TestEnv.PostgresAdmin);
        await admin.OpenAsync();
        await using (var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin))
            await cmd.ExecuteNonQueryAsync();
        return (name, new NpgsqlConnectionStringBuilder(TestEnv.PostgresAdmin) { Database = name }.ConnectionString);
    }

    private static async Task DropPostgresAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestEnv.PostgresAdmin);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    private static void SqliteClear() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

    /// <summary>Waits for <paramref name="done"/> (failing after two minutes, so a stuck load cannot hang the suite).</summary>
    private static async Task WaitUntilAsync(Func<bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the write load made no progress");
            await Task.Delay(20);
        }
    }
}
