using DailyPapers.Community;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace DailyPapers.Pages.Account;

[EnableRateLimiting(CommunitySetup.AuthPerIp)]
public sealed class ResetModel(UserManager<AppUser> users) : AccountPage
{
    public const string InvalidLink = "This reset link is not valid or has been used. Ask for a new one.";

    [BindProperty(SupportsGet = true)] public string? Email { get; set; }
    [BindProperty(SupportsGet = true)] public string? Code { get; set; }
    public bool Done { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? password)
    {
        if (PasswordRules.Check(password, Email) is { } pw) { Errors.Add(pw); Response.StatusCode = 400; return Page(); }
        var token = DecodeToken(Code);
        var user = string.IsNullOrEmpty(Email) ? null : await users.FindByEmailAsync(Email);
        if (user is null || token is null) return Invalid();
        var result = await users.ResetPasswordAsync(user, token, password!);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code == "InvalidToken")) return Invalid();
            Errors.AddRange(result.Errors.Select(e => e.Description));
            Response.StatusCode = 400;
            return Page();
        }
        if (!user.EmailConfirmed)
        {
            // The link arrived by mail, which proves the address as well as a confirmation link would.
            user.EmailConfirmed = true;
            await users.UpdateAsync(user);
        }
        Done = true;
        Notice = "Your password is changed. Log in with the new one.";
        return Page();
    }

    private PageResult Invalid()
    {
        Errors.Add(InvalidLink);
        Response.StatusCode = 400;
        return Page();
    }
}
