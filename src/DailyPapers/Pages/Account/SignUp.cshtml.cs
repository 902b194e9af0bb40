using DailyPapers.Community;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DailyPapers.Pages.Account;

[EnableRateLimiting(CommunitySetup.MailPerIp)]
public sealed class SignUpModel(UserManager<AppUser> users, AccountMail mail, IOptions<CommunitySettings> settings) : AccountPage
{
    public const string SentNotice = "Check your mail: we sent a link to finish signing up. (If this address already has an account, the mail says so.)";

    public string? Email { get; private set; }
    public string? DisplayName { get; private set; }
    public bool Sent { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? email, string? displayName, string? password, CancellationToken ct)
    {
        Email = email?.Trim();
        // A bare address only: MailAddress also accepts "Name <a@b>" forms, and control characters have no place in one.
        if (string.IsNullOrEmpty(Email) || Email.Length > 256 || Email.Any(char.IsControl)
            || !System.Net.Mail.MailAddress.TryCreate(Email, out var parsed) || parsed.Address != Email) Errors.Add("Enter a valid email address.");
        if (DisplayNames.Check(displayName, out var name) is { } bad) Errors.Add(bad);
        DisplayName = name;
        // Password rules are checked before looking the address up, so the answer never depends on whether it exists.
        if (PasswordRules.Check(password, Email) is { } pw) Errors.Add(pw);
        if (Errors.Count > 0) { Response.StatusCode = 400; return Page(); }

        var existing = await users.FindByEmailAsync(Email!);
        if (existing is not null)
        {
            var token = await users.GeneratePasswordResetTokenAsync(existing);
            await mail.SendAlreadyRegisteredAsync(Email!, AccountMail.Link(Request, settings.Value, ResetPath(Email!, token)), ct);
        }
        else
        {
            var user = new AppUser { UserName = Email, Email = Email, DisplayName = DisplayName! };
            IdentityResult result;
            try
            {
                result = await users.CreateAsync(user, password!);
            }
            catch (DbUpdateException)
            {
                // The same address signing up at the same moment: Identity's own check passed for both, the unique index did not.
                if (await users.FindByEmailAsync(Email!) is null) throw;
                result = IdentityResult.Failed(new IdentityError { Code = "DuplicateEmail" });
            }
            if (!result.Succeeded)
            {
                // Only a concurrent sign-up with the same address gets here; say nothing more specific than the rules.
                if (result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName")) { Sent = true; Notice = SentNotice; return Page(); }
                Errors.AddRange(result.Errors.Select(e => e.Description));
                Response.StatusCode = 400;
                return Page();
            }
            var token = await users.GenerateEmailConfirmationTokenAsync(user);
            await mail.SendConfirmationAsync(Email!, AccountMail.Link(Request, settings.Value, ConfirmPath(user.Id, token)), ct);
        }
        Sent = true;
        Notice = SentNotice;
        return Page();
    }
}
