using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;

namespace DailyPapers.Pages.Account;

/// <summary>/account/delete: says what will go, then deletes the account and everything that is the member's once they confirm with their password.</summary>
[Authorize]
public sealed class DeleteModel(AppDbContext db, UserManager<AppUser> users, SignInManager<AppUser> signIn, IOutputCacheStore cache) : AccountPage
{
    public bool HasPassword { get; private set; }
    public DeletedAccount? Deleted { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return await SignedOutAsync();
        HasPassword = await users.HasPasswordAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? password, string? email, CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return await SignedOutAsync();
        HasPassword = await users.HasPasswordAsync(user);
        var confirmed = HasPassword
            ? password is { Length: > 0 and <= 1024 } && await users.CheckPasswordAsync(user, password)
            : string.Equals(email?.Trim(), user.Email, StringComparison.OrdinalIgnoreCase);
        if (!confirmed)
        {
            Errors.Add(HasPassword ? "That is not your password: nothing was deleted." : "Type your email address exactly to confirm: nothing was deleted.");
            Response.StatusCode = 400;
            HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
            return Page();
        }
        Deleted = await AccountDeletion.DeleteAsync(db, users, user, ct);
        await signIn.SignOutAsync();
        await cache.EvictByTagAsync(CachePolicies.PapersTag, ct);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    // The account went away in another tab (or a stale cookie): nothing to delete, so sign the browser out.
    private async Task<IActionResult> SignedOutAsync()
    {
        await signIn.SignOutAsync();
        return LocalRedirect("/");
    }
}
