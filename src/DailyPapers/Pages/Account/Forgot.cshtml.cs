using DailyPapers.Community;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DailyPapers.Pages.Account;

[EnableRateLimiting(CommunitySetup.MailPerIp)]
public sealed class ForgotModel(UserManager<AppUser> users, AccountMail mail, IOptions<CommunitySettings> settings) : AccountPage
{
    public const string SentNotice = "If an account exists for that address, we sent it a link to choose a new password.";

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? email, CancellationToken ct)
    {
        email = email?.Trim();
        if (!string.IsNullOrEmpty(email) && await users.FindByEmailAsync(email) is { } user)
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            await mail.SendResetAsync(user.Email!, AccountMail.Link(Request, settings.Value, ResetPath(user.Email!, token)), ct);
        }
        // The same words and status whether or not the address has an account.
        Notice = SentNotice;
        return Page();
    }
}
