using DailyPapers.Digest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace DailyPapers.Tests.Digest;

/// <summary>The ledger under interruptions, outages and rejections, against a real SMTP server the test controls.</summary>
public sealed class DigestDeliveryTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task CrashMidRunThenResumeGivesEveryoneOneDigestExceptTheInFlightOne(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var sink = SmtpSink.Start();
        await DigestTestData.SeedPapersAsync(db.Settings);
        var emails = Enumerable.Range(0, 1000).Select(i => $"crash{i}@sink.test").ToList();
        await DigestTestData.AddConfirmedAsync(db.Settings, emails);
        var settings = DigestTestData.Settings(s => s.BatchSize = 100);
        Assert.Equal(2, settings.SendConcurrency);
        var (runner, _, _) = DigestTestData.Runner(db.Settings, settings, DigestTestData.Mail(sink.Port));

        using var crash = new CancellationTokenSource();
        // Cancel from inside the SMTP server while message 300 is being handed over: it is in flight.
        sink.Accepted = _ => { if (sink.Messages.Count >= 300) crash.Cancel(); }; // ">=": concurrent connections can step past 300
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day), crash.Token));
        // Each of the run's SMTP connections may have had one message in flight.
        Assert.InRange(sink.Messages.Count, 300, 300 + settings.SendConcurrency);
        await using (var ctx = db.Settings.CreateContext())
            Assert.Equal(RunStatus.Incomplete, (await ctx.Set<DigestRun>().SingleAsync()).Status);

        sink.Accepted = null;
        var (resumed, _, _) = DigestTestData.Runner(db.Settings, DigestTestData.Settings(s => s.BatchSize = 100), DigestTestData.Mail(sink.Port));
        var result = await resumed.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));

        Assert.Equal(DigestOutcome.Complete, result.Outcome);
        Assert.Equal(1000, result.Sent);
        var perRecipient = sink.Messages.GroupBy(m => m.Recipient).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(emails, e => Assert.True(perRecipient.GetValueOrDefault(e) >= 1, $"{e} got no digest"));
        Assert.True(perRecipient.Values.Count(n => n > 1) <= settings.SendConcurrency, "more duplicates than messages in flight");
        Assert.All(perRecipient.Values, n => Assert.True(n <= 2));
        // A duplicate carries the same Message-ID, so mail clients can fold it.
        Assert.All(sink.Messages.GroupBy(m => m.Recipient), g => Assert.Single(g.Select(m => m.MessageId).Distinct()));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SmtpOutageDuringRunIsRetriedAndEveryoneGetsExactlyOne(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var sink = SmtpSink.Start();
        await DigestTestData.SeedPapersAsync(db.Settings);
        var emails = Enumerable.Range(0, 200).Select(i => $"outage{i}@sink.test").ToList();
        await DigestTestData.AddConfirmedAsync(db.Settings, emails);
        var (runner, _, _) = DigestTestData.Runner(db.Settings, DigestTestData.Settings(), DigestTestData.Mail(sink.Port));

        var restarted = new TaskCompletionSource();
        int outage = 0;
        sink.Accepted = received =>
        {
            // Messages arrive on several connections at once: the count can pass 50 without a callback seeing exactly 50.
            if (sink.Messages.Count < 50 || Interlocked.Exchange(ref outage, 1) == 1) return;
            sink.Stop();
            _ = Task.Run(async () => { await Task.Delay(1500); sink.Restart(); restarted.SetResult(); }).ContinueWith(_ => { });
        };
        var result = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));

        Assert.True(restarted.Task.IsCompleted, "the outage did not happen during the run");
        Assert.Equal(DigestOutcome.Complete, result.Outcome);
        Assert.All(emails, e => Assert.Equal(1, sink.CountFor(e)));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SmtpDownPastTheDeadlineLeavesTheRunIncompleteAndTheNextRunFinishesIt(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var sink = SmtpSink.Start();
        await DigestTestData.SeedPapersAsync(db.Settings);
        var emails = Enumerable.Range(0, 20).Select(i => $"down{i}@sink.test").ToList();
        await DigestTestData.AddConfirmedAsync(db.Settings, emails);
        var settings = DigestTestData.Settings(s => s.RetryForSeconds = 1);
        sink.Stop();

        var (runner, _, _) = DigestTestData.Runner(db.Settings, settings, DigestTestData.Mail(sink.Port));
        var first = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));
        Assert.Equal(DigestOutcome.Incomplete, first.Outcome);
        Assert.Equal(0, first.Sent);
        Assert.Equal(20, first.Recipients);

        sink.Restart();
        var second = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));
        Assert.Equal(DigestOutcome.Complete, second.Outcome);
        Assert.All(emails, e => Assert.Equal(1, sink.CountFor(e)));

        var third = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));
        Assert.Equal(DigestOutcome.AlreadyComplete, third.Outcome);
        Assert.Equal(20, sink.Messages.Count);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task PermanentRejectionsMarkTheAddressBouncingAfterTheThreshold(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var sink = SmtpSink.Start();
        sink.Reject = a => a.StartsWith("bounce", StringComparison.Ordinal);
        await DigestTestData.SeedPapersAsync(db.Settings, DigestTestData.Day);
        await DigestTestData.SeedPapersAsync(db.Settings, DigestTestData.NextDay, "1912.1");
        var ids = await DigestTestData.AddConfirmedAsync(db.Settings, ["bounce@sink.test", "fine@sink.test"]);
        var (runner, _, _) = DigestTestData.Runner(db.Settings, DigestTestData.Settings(s => s.BounceThreshold = 2), DigestTestData.Mail(sink.Port));

        var first = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));
        Assert.Equal((DigestOutcome.Complete, 1, 1), (first.Outcome, first.Sent, first.Rejected));
        await using (var ctx = db.Settings.CreateContext())
            Assert.Equal(SubscriptionState.Confirmed, (await ctx.Set<Subscription>().SingleAsync(s => s.Id == ids[0])).State);

        var second = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.NextDay));
        Assert.Equal((DigestOutcome.Complete, 1, 1), (second.Outcome, second.Sent, second.Rejected));
        await using (var ctx = db.Settings.CreateContext())
        {
            var bounced = await ctx.Set<Subscription>().SingleAsync(s => s.Id == ids[0]);
            Assert.Equal((SubscriptionState.Bouncing, 2), (bounced.State, bounced.BounceCount));
        }
        Assert.Equal(2, sink.CountFor("fine@sink.test"));
    }

    [Fact]
    public async Task DkimSignatureVerifiesAndCoversTheUnsubscribeHeaders()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await using var sink = SmtpSink.Start();
        await DigestTestData.SeedPapersAsync(db.Settings);
        await DigestTestData.AddConfirmedAsync(db.Settings, ["dkim@sink.test"]);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var keyPath = Path.Combine(db.DataDir, "dkim.pem");
        await File.WriteAllTextAsync(keyPath, rsa.ExportRSAPrivateKeyPem());
        var settings = DigestTestData.Settings(s => { s.DkimPrivateKeyPath = keyPath; s.DkimDomain = "papers.example.test"; s.DkimSelector = "dp1"; });
        var (runner, _, _) = DigestTestData.Runner(db.Settings, settings, DigestTestData.Mail(sink.Port));

        Assert.Equal(DigestOutcome.Complete, (await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day))).Outcome);

        var received = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Assert.Single(sink.Messages).Data)));
        var signature = received.Headers[received.Headers.IndexOf(HeaderId.DkimSignature)];
        var signedHeaders = signature.Value.Split(';').Select(t => t.Trim()).Single(t => t.StartsWith("h=")).ToLowerInvariant();
        Assert.Contains("list-unsubscribe:", signedHeaders + ":");
        Assert.Contains("list-unsubscribe-post", signedHeaders);
        var verifier = new DkimVerifier(new FixedKeyLocator(DotNetUtilities.GetRsaPublicKey(rsa.ExportParameters(false))));
        Assert.True(await verifier.VerifyAsync(received, signature));

        // Changing a signed header breaks the signature.
        received.Headers[HeaderId.ListUnsubscribe] = "<https://evil.example/unsub>";
        Assert.False(await verifier.VerifyAsync(received, signature));
    }

    [Fact]
    public async Task DryRunWritesOneEmlPerSubscriberAndRecordsNothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await DigestTestData.SeedPapersAsync(db.Settings);
        await DigestTestData.AddConfirmedAsync(db.Settings, ["dry1@sink.test", "dry2@sink.test"]);
        var (runner, _, _) = DigestTestData.Runner(db.Settings, DigestTestData.Settings(), DigestTestData.Mail(1));
        var dir = Path.Combine(db.DataDir, "dry");

        var result = await runner.SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day, dir));

        Assert.Equal((DigestOutcome.DryRun, 2), (result.Outcome, result.Recipients));
        var files = Directory.GetFiles(dir, "*.eml");
        Assert.Equal(2, files.Length);
        Assert.Contains(files.Select(f => MimeMessage.Load(f)), m => m.To.Mailboxes.Single().Address == "dry1@sink.test");
        await using var ctx = db.Settings.CreateContext();
        Assert.False(await ctx.Set<DigestRun>().AnyAsync());
    }

    private sealed class FixedKeyLocator(AsymmetricKeyParameter key) : IDkimPublicKeyLocator
    {
        public AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken ct = default) => key;
        public Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken ct = default) => Task.FromResult(key);
    }
}
