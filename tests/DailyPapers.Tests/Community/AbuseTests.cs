using System.Net;
using DailyPapers.Tests.Support;
using Microsoft.Extensions.Options;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

/// <summary>What a hostile client tries: posing as many clients, flooding inboxes, forged forms, control characters.</summary>
public sealed class AbuseTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ForwardedForFromAPeerThatIsNotAKnownProxyDoesNotEvadeTheLoginLimiter(string engine)
    {
        await using var server = await StartAsync(engine, b =>
        {
            b.Configuration["Community:TrustForwardedHeaders"] = "true";
            // The proxy is elsewhere: this test's client, on loopback, is an ordinary untrusted peer.
            b.Configuration["Community:KnownProxies:0"] = "192.0.2.1";
        });
        var email = UniqueEmail("spoofed");
        await CreateMemberAsync(server, email);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 30; i++)
        {
            // A new client and a new made-up address for every guess.
            var client = NewClient(server, forwardedFor: $"203.0.113.{i + 1}");
            statuses.Add((await PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = $"guess {i}" })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.BadRequest, statuses[0]);
        Assert.Equal(25, statuses.Count(s => s == HttpStatusCode.TooManyRequests)); // 5 guesses per account and address
    }

    [Fact]
    public async Task AKnownProxyThatIsNotAnAddressStopsTheServerFromStarting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(TestDatabase.Sqlite, b =>
        {
            b.Configuration["Community:TrustForwardedHeaders"] = "true";
            b.Configuration["Community:KnownNetworks:0"] = "10.0.0.0/33";
        }));
        Assert.Contains("10.0.0.0/33", ex.Message);
    }
}
