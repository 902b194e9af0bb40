using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using DailyPapers.Tests.Support;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Api;

/// <summary>Personal API tokens made and revoked by a signed-in member on /account/tokens, then used on the API.</summary>
public sealed partial class TokenPageTests
{
    [GeneratedRegex("<code id=\"new-token\">([^<]+)</code>")]
    private static partial Regex NewSecret();

    private static async Task<HttpResponseMessage> MeAsync(TestServer server, string secret)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, "api/v1/me");
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return await server.Client.SendAsync(req);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TokenCreatedOnTheAccountPageIsShownOnceWorksAndStopsWorkingWhenRevokedThere(string engine)
    {
        await using var server = await StartAsync(engine);
        var email = UniqueEmail("tokens");
        var member = await CreateMemberAsync(server, email, "Ada");
        var client = await LoggedInClientAsync(server, email);

        // Visitors are sent to log in; the profile links the page for its owner.
        var anonymous = await NewClient(server).GetAsync("/account/tokens");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/account/login", anonymous.Headers.Location!.OriginalString);
        Assert.Contains("href=\"/account/tokens\"", await client.GetStringAsync($"/users/{member.Id}"));
        Assert.Contains("No tokens yet", await client.GetStringAsync("/account/tokens"));

        // A nameless token is refused with the form shown again.
        var nameless = await PostFormAsync(client, "/account/tokens", "/account/tokens?handler=create", new() { ["name"] = "  ", ["scope"] = "read" });
        Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);
        Assert.DoesNotMatch(NewSecret(), await nameless.Content.ReadAsStringAsync());

        var created = await PostFormAsync(client, "/account/tokens", "/account/tokens?handler=create", new() { ["name"] = "my <script> reader", ["scope"] = "read" });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore);
        var html = await created.Content.ReadAsStringAsync();
        Assert.Contains("cannot be shown again", html);
        Assert.DoesNotContain("my <script> reader", html);
        var secret = WebUtility.HtmlDecode(NewSecret().Match(html).Groups[1].Value);
        Assert.StartsWith("dp_", secret);

        // Listed by name, prefix and scope; the secret itself never again.
        var listing = await client.GetStringAsync("/account/tokens");
        Assert.DoesNotContain(secret, listing);
        Assert.Contains(WebUtility.HtmlEncode(secret[..10]), listing);
        Assert.Contains("my &lt;script&gt; reader", listing);
        Assert.Contains("never", listing);

        var me = await MeAsync(server, secret);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var body = JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(member.Id, body.GetProperty("userId").GetString());
        Assert.Equal("read", body.GetProperty("scope").GetString());
        var tokenId = body.GetProperty("tokenId").GetInt64();

        // Another member cannot revoke it.
        var otherEmail = UniqueEmail("other");
        await CreateMemberAsync(server, otherEmail, "Eve");
        var other = await LoggedInClientAsync(server, otherEmail);
        var theirs = await PostFormAsync(other, "/account/tokens", "/account/tokens?handler=revoke", new() { ["id"] = tokenId.ToString() });
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(server, secret)).StatusCode);

        // Without the antiforgery token the revoke is refused.
        var forged = await client.PostAsync("/account/tokens?handler=revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = tokenId.ToString() }));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(server, secret)).StatusCode);

        var revoked = await PostFormAsync(client, "/account/tokens", "/account/tokens?handler=revoke", new() { ["id"] = tokenId.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal("/account/tokens?revoked=1", revoked.Headers.Location!.OriginalString);
        Assert.Contains("revoked", await client.GetStringAsync("/account/tokens?revoked=1"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(server, secret)).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task WriteTokenFromThePageCanWriteAndReadTokenCannot(string engine)
    {
        await using var server = await StartAsync(engine);
        var email = UniqueEmail("scopes");
        await CreateMemberAsync(server, email, "Ada");
        await SeedPapersAsync(server, 1);
        var client = await LoggedInClientAsync(server, email);

        async Task<string> CreateAsync(string scope)
        {
            var res = await PostFormAsync(client, "/account/tokens", "/account/tokens?handler=create", new() { ["name"] = scope + " token", ["scope"] = scope });
            return WebUtility.HtmlDecode(NewSecret().Match(await res.Content.ReadAsStringAsync()).Groups[1].Value);
        }

        var read = await CreateAsync("read");
        var write = await CreateAsync("write");
        async Task<HttpStatusCode> VoteAsync(string secret)
        {
            using var req = new HttpRequestMessage(HttpMethod.Put, "api/v1/papers/2501.00001/vote");
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            return (await server.Client.SendAsync(req)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await VoteAsync(read));
        Assert.Equal(HttpStatusCode.OK, await VoteAsync(write));
        var page = await client.GetStringAsync("/account/tokens");
        Assert.Contains("<td>write</td>", page);
        Assert.Contains("<td>read</td>", page);
    }
}
