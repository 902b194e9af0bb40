using System.Security.Claims;
using System.Text.Encodings.Web;
using DailyPapers.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace DailyPapers.Api;

/// <summary>Authenticates <c>Authorization: Bearer dp_…</c> personal API tokens; errors are RFC 9457 problem details.</summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string ScopeClaim = "scope";
    public const string TokenIdClaim = "token_id";
    public const string ReadPolicy = "api:read";
    public const string WritePolicy = "api:write";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var secret = header["Bearer ".Length..].Trim();
        if (!secret.StartsWith(ApiTokens.SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
            return AuthenticateResult.Fail("The bearer token is not a DailyPapers API token.");
        var db = Context.RequestServices.GetRequiredService<AppDbContext>();
        var token = await ApiTokens.FindActiveAsync(db, secret, Context.RequestAborted);
        if (token is null) return AuthenticateResult.Fail("The API token is unknown or has been revoked.");
        await ApiTokens.TouchAsync(db, token, Context.RequestAborted);
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, token.UserId),
            new Claim(TokenIdClaim, token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(ScopeClaim, token.Scope == ApiScope.Write ? "write" : "read"),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure is null
            ? "Bearer realm=\"DailyPapers\""
            : "Bearer realm=\"DailyPapers\", error=\"invalid_token\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 401, Title = "Authentication required", Detail = failure?.Message ?? "Send a personal API token as 'Authorization: Bearer dp_…'." },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"DailyPapers\", error=\"insufficient_scope\", scope=\"write\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 403, Title = "Insufficient scope", Detail = "This token may only read; create a token with the write scope for this request." },
        });
    }

    public static void AddPolicies(AuthorizationOptions o)
    {
        o.AddPolicy(ReadPolicy, p => p.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser().RequireClaim(ScopeClaim, "read", "write"));
        o.AddPolicy(WritePolicy, p => p.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser().RequireClaim(ScopeClaim, "write"));
    }
}
