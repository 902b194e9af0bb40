using DailyPapers.Community;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DailyPapers.Pages.Account;

/// <summary>Logging out is a POST (GET only shows the button), so a link on another site can't log anyone out.</summary>
public sealed class LogoutModel(SignInManager<AppUser> signIn) : AccountPage
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return LocalRedirect("/");
    }
}
