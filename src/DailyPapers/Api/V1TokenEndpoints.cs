using System.Globalization;
using System.Security.Claims;
using DailyPapers.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DailyPapers.Api;

/// <summary>A token as its owner sees it later: never the secret.</summary>
public sealed record V1Token(long Id, string Name, string Prefix, string Scope, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt)
{
    public static V1Token From(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.Scope == ApiScope.Write ? "write" : "read", t.CreatedAt, t.LastUsedAt, t.RevokedAt);
}

public sealed record V1Me(string UserId, long TokenId, string Scope);

/// <summary>The token endpoints of /api/v1: who is calling, and the caller's own tokens.</summary>
public static class V1TokenEndpoints
{
    public static RouteGroupBuilder MapTokensV1(this RouteGroupBuilder v1)
    {
        v1.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new V1Me(
                user.FindFirstValue(ClaimTypes.NameIdentifier)!,
                long.Parse(user.FindFirstValue(ApiTokenAuthenticationHandler.TokenIdClaim)!, CultureInfo.InvariantCulture),
                user.FindFirstValue(ApiTokenAuthenticationHandler.ScopeClaim)!)))
            .WithTags("Tokens").RequireAuthorization(ApiTokenAuthenticationHandler.ReadPolicy)
            .WithSummary("Who the calling token belongs to, and its scope");
        var g = v1.MapGroup("/tokens").WithTags("Tokens");
        g.MapGet("/", async (ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
                TypedResults.Ok((await ApiTokens.ListAsync(db, user.FindFirstValue(ClaimTypes.NameIdentifier)!, ct)).ConvertAll(V1Token.From)))
            .RequireAuthorization(ApiTokenAuthenticationHandler.ReadPolicy)
            .WithSummary("The caller's tokens (names, prefixes, scopes, dates; never secrets)");
        g.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
                await ApiTokens.RevokeAsync(db, user.FindFirstValue(ClaimTypes.NameIdentifier)!, id, ct)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"You have no active token {id}."))
            .RequireAuthorization(ApiTokenAuthenticationHandler.WritePolicy)
            .WithSummary("Revokes one of the caller's tokens (write scope)");
        // Creating tokens is done signed in, on the account page (community), where the secret can be shown once.
        return v1;
    }
}
