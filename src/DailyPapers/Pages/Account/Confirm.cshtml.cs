using DailyPapers.Community;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DailyPapers.Pages.Account;

public sealed class ConfirmModel(UserManager<AppUser> users) : AccountPage
{
    [BindProperty(SupportsGet = true, Name = "user")] public string? UserId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Code { get; set; }
    public bool Confirmed { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        var token = DecodeToken(Code);
        var user = UserId is null ? null : await users.FindByIdAsync(UserId);
        if (user is null || token is null || !(await users.ConfirmEmailAsync(user, token)).Succeeded)
        {
            Errors.Add("This link is not valid or has expired. Sign up again to get a new one.");
            Response.StatusCode = 400;
            return Page();
        }
        Confirmed = true;
        Notice = "Your address is confirmed. You can log in now.";
        return Page();
    }
}
