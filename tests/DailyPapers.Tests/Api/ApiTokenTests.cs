using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DailyPapers.Api;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Api;

/// <summary>Personal API tokens and rate limits on /api/v1. Tokens are created in the database directly: the account page that creates them belongs to the community capability.</summary>
public sealed class ApiTokenTests
{
    private static async Task<(ApiToken Token, string Secret)> CreateTokenAsync(TestServer server, string userId, ApiScope scope)
    {
        await using var db = server.Database.Settings.CreateContext();
        return await ApiTokens.CreateAsync(db, userId, $"{scope} token", scope);
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string? secret)
    {
        var r = new HttpRequestMessage(method, url);
        if (secret is not null) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return r;
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TokenLifecycleCreateUseRevokeAndScope(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var (read, readSecret) = await CreateTokenAsync(server, "user-1", ApiScope.Read);
        var (_, writeSecret) = await CreateTokenAsync(server, "user-1", ApiScope.Write);
        var (_, otherSecret) = await CreateTokenAsync(server, "user-2", ApiScope.Write);

        // Only a hash is stored; the secret is nowhere in the table.
        await using (var db = server.Database.Settings.CreateContext())
        {
            var stored = await db.Set<ApiToken>().SingleAsync(t => t.Id == read.Id);
            Assert.Equal(ApiTokens.Hash(readSecret), stored.TokenHash);
            Assert.DoesNotContain(readSecret, stored.TokenHash + stored.Prefix + stored.Name);
            Assert.StartsWith(stored.Prefix, readSecret);
        }

        var me = await server.Client.SendAsync(Request(HttpMethod.Get, "api/v1/me", readSecret));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var meBody = JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("user-1", meBody.GetProperty("userId").GetString());
        Assert.Equal("read", meBody.GetProperty("scope").GetString());

        var list = JsonDocument.Parse(await (await server.Client.SendAsync(Request(HttpMethod.Get, "api/v1/tokens", readSecret))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, list.GetArrayLength());
        Assert.DoesNotContain(readSecret, list.GetRawText());

        // A read token may not write.
        var forbidden = await server.Client.SendAsync(Request(HttpMethod.Delete, $"api/v1/tokens/{read.Id}", readSecret));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType!.MediaType);

        // Another user's write token cannot revoke it.
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.SendAsync(Request(HttpMethod.Delete, $"api/v1/tokens/{read.Id}", otherSecret))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.SendAsync(Request(HttpMethod.Delete, $"api/v1/tokens/{read.Id}", writeSecret))).StatusCode);
        var revoked = await server.Client.SendAsync(Request(HttpMethod.Get, "api/v1/me", readSecret));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("invalid_token", revoked.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", revoked.Content.Headers.ContentType!.MediaType);

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.SendAsync(Request(HttpMethod.Get, "api/v1/me", null))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.SendAsync(Request(HttpMethod.Get, "api/v1/me", "dp_not-a-real-token"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(Request(HttpMethod.Get, "api/v1/me", writeSecret))).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task OverTheLimitGets429WithRetryAfterAndRateLimitHeaders(string engine)
    {
        await using var server = await TestServer.StartAsync(engine, b =>
        {
            b.Configuration["Api:RatePermits"] = "3";
            b.Configuration["Api:RateWindowSeconds"] = "3600";
        });
        var (_, secret) = await CreateTokenAsync(server, "user-1", ApiScope.Read);
        for (int i = 0; i < 3; i++)
        {
            var ok = await server.Client.SendAsync(Request(HttpMethod.Get, "api/v1/papers", secret));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("\"default\";q=3;w=3600", ok.Headers.GetValues("RateLimit-Policy").Single());
            Assert.Matches($"^\"default\";r={2 - i};t=\\d+$", ok.Headers.GetValues("RateLimit").Single());
        }
        var limited = await server.Client.SendAsync(Request(HttpMethod.Get, "api/v1/papers", secret));
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter!.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);

        // Limits are per client: an anonymous caller (its own address) and another token are counted apart.
        var (_, other) = await CreateTokenAsync(server, "user-2", ApiScope.Read);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(Request(HttpMethod.Get, "api/v1/papers", other))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("api/v1/papers")).StatusCode);
    }
}
