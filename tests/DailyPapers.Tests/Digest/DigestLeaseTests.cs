using System.Diagnostics;
using DailyPapers.Digest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Digest;

/// <summary>Who may send a digest run whose lease is still within its time: a dead process on this machine frees it at once.</summary>
public sealed class DigestLeaseTests
{
    private static string Host => Environment.MachineName[..Math.Min(60, Environment.MachineName.Length)];

    /// <summary>The id of a process that existed and has ended (and been reaped).</summary>
    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true"))!;
        p.WaitForExit();
        return p.Id;
    }

    private static async Task LeaseAsync(TestDatabase db, string owner)
    {
        await using var ctx = db.Settings.CreateContext();
        ctx.Add(new DigestRun
        {
            Key = "daily:" + DigestTestData.Day.ToString("yyyy-MM-dd"), Frequency = DigestFrequency.Daily,
            PeriodStart = DigestTestData.Day, PeriodEnd = DigestTestData.Day, StartedAt = DateTime.UtcNow,
            Status = RunStatus.Running, LeaseOwner = owner, LeaseUntil = DateTime.UtcNow.AddMinutes(2),
        });
        await ctx.SaveChangesAsync();
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ALeaseHeldByADeadProcessOnThisMachineIsTakenOverAtOnce(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var sink = SmtpSink.Start();
        await DigestTestData.SeedPapersAsync(db.Settings);
        var emails = Enumerable.Range(0, 5).Select(i => $"lease{i}@sink.test").ToList();
        await DigestTestData.AddConfirmedAsync(db.Settings, emails);
        await LeaseAsync(db, $"{Host}:{DeadPid()}:{Guid.NewGuid():N}");

        var (runner, _, _) = DigestTestData.Runner(db.Settings, DigestTestData.Settings(), DigestTestData.Mail(sink.Port));
        var result = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));

        Assert.Equal(DigestOutcome.Complete, result.Outcome);
        Assert.All(emails, e => Assert.Equal(1, sink.CountFor(e)));
    }

    [Theory]
    [InlineData("live process here")]
    [InlineData("other machine")]
    public async Task ALeaseOfALiveProcessOrAnotherMachineStillWaitsForItsTime(string holder)
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await using var sink = SmtpSink.Start();
        await DigestTestData.SeedPapersAsync(db.Settings);
        await DigestTestData.AddConfirmedAsync(db.Settings, ["busy@sink.test"]);
        // This test's own process is alive; a dead pid on another machine says nothing about that machine's process.
        var owner = holder == "live process here" ? $"{Host}:{Environment.ProcessId}:{Guid.NewGuid():N}" : $"other-{Host}:{DeadPid()}:{Guid.NewGuid():N}";
        await LeaseAsync(db, owner);

        var (runner, _, _) = DigestTestData.Runner(db.Settings, DigestTestData.Settings(), DigestTestData.Mail(sink.Port));
        var result = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));

        Assert.Equal(DigestOutcome.Busy, result.Outcome);
        Assert.Equal(0, sink.CountFor("busy@sink.test"));
    }

    [Fact]
    public async Task DigestSendKilledWithSigkillIsResumedByTheNextCallAtOnce()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await using var sink = SmtpSink.Start();
        await DigestTestData.SeedPapersAsync(db.Settings);
        var emails = Enumerable.Range(0, 20).Select(i => $"killed{i}@sink.test").ToList();
        await DigestTestData.AddConfirmedAsync(db.Settings, emails);
        // The first accepted message parks its SMTP session, so the child is mid-run, holding the lease, when it is killed.
        var first = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        sink.Accepted = _ => { first.TrySetResult(); release.Task.Wait(TimeSpan.FromSeconds(60)); };

        var psi = CliRun.StartInfo(db.DataDir, ["digest", "send", "--date", DigestTestData.Day.ToString("yyyy-MM-dd")], new Dictionary<string, string>
        {
            ["DAILYPAPERS_Mail__Host"] = "127.0.0.1", ["DAILYPAPERS_Mail__Port"] = sink.Port.ToString(), ["DAILYPAPERS_Mail__Tls"] = "None",
        });
        using (var child = Process.Start(psi)!)
        {
            child.StandardInput.Close();
            _ = child.StandardOutput.ReadToEndAsync();
            _ = child.StandardError.ReadToEndAsync();
            await first.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await using (var ctx = db.Settings.CreateContext())
                Assert.StartsWith($"{Host}:{child.Id}:", (await ctx.Set<DigestRun>().SingleAsync()).LeaseOwner);
            child.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, the lease stays in the row
            await child.WaitForExitAsync();
        }
        sink.Accepted = null;
        release.SetResult();

        var (runner, _, _) = DigestTestData.Runner(db.Settings, DigestTestData.Settings(), DigestTestData.Mail(sink.Port));
        var result = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));

        Assert.Equal(DigestOutcome.Complete, result.Outcome);
        Assert.All(emails, e => Assert.InRange(sink.CountFor(e), 1, 2)); // a message in flight at the kill may come twice
    }
}
