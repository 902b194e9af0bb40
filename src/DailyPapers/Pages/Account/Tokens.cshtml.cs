using DailyPapers.Api;
using DailyPapers.Community;
using DailyPapers.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace DailyPapers.Pages.Account;

/// <summary>/account/tokens: the member's personal API tokens; a new token's secret is shown once, in the response to the POST that made it.</summary>
[Authorize]
public sealed class TokensModel(AppDbContext db) : AccountPage
{
    public List<ApiToken> Tokens { get; private set; } = [];
    public ApiToken? Created { get; private set; }
    public string? Secret { get; private set; }
    public string? Name { get; private set; }

    private string Me => CommunitySetup.UserIdOf(HttpContext);

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Request.Query.ContainsKey("revoked")) Notice = "The token was revoked; programs using it are now refused.";
        Tokens = await ApiTokens.ListAsync(db, Me, ct);
    }

    public async Task<IActionResult> OnPostCreateAsync(string? name, string? scope, CancellationToken ct)
    {
        Name = name;
        name = Ingest.Text.Squash(name ?? "");
        if (name.Length is 0 or > ApiTokens.MaxNameLength) Errors.Add($"Give the token a name of 1 to {ApiTokens.MaxNameLength} characters, e.g. the program that will use it.");
        ApiScope? parsed = scope switch { "read" => ApiScope.Read, "write" => ApiScope.Write, _ => null };
        if (parsed is null) Errors.Add("Choose read or write access.");
        if (Errors.Count > 0)
        {
            Response.StatusCode = 400;
            HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        }
        else
        {
            (Created, Secret) = await ApiTokens.CreateAsync(db, Me, name, parsed!.Value, ct);
            Name = null;
            // The secret must not linger in a cache: this response is the only place it ever appears.
            Response.Headers.CacheControl = "no-store";
        }
        Tokens = await ApiTokens.ListAsync(db, Me, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken ct)
    {
        if (!await ApiTokens.RevokeAsync(db, Me, id, ct))
        {
            Errors.Add("That token does not exist or was already revoked.");
            Response.StatusCode = 404;
            HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
            Tokens = await ApiTokens.ListAsync(db, Me, ct);
            return Page();
        }
        return LocalRedirect("/account/tokens?revoked=1");
    }
}
