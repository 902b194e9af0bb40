using DailyPapers.Community;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace DailyPapers.Pages.Account;

[EnableRateLimiting(CommunitySetup.AuthPerIp)]
public sealed class LoginModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, CommunityLimits limits, IPasswordHasher<AppUser> hasher, TimeProvider clock) : AccountPage
{
    public const string Failed = "That email address and password don't match an account.";

    // Verified when the address is unknown, so that a miss costs the same hashing time as a wrong password.
    // Made with the app's hasher settings (iteration count), so it costs what a real hash costs.
    private static string? _decoyHash;

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Email { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? email, string? password)
    {
        Email = email?.Trim() ?? "";
        if (!limits.TryLogin(Email, ClientAddress, out var wait))
        {
            var limit = new TooManyRequests($"There were {limits.LoginPerAccountAndAddress.Permits} sign-in attempts for this account from your address in {RateBudget.Describe(limits.LoginPerAccountAndAddress.Window)}.", wait);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = RateBudget.RetryAfterHeader(wait);
            Errors.Add(limit.Detail(clock.GetUtcNow()) + " If you forgot your password, reset it instead.");
            return Page();
        }
        var user = Email.Length == 0 ? null : await users.FindByEmailAsync(Email);
        if (user is null)
        {
            _decoyHash ??= hasher.HashPassword(new AppUser(), Guid.NewGuid().ToString());
            hasher.VerifyHashedPassword(new AppUser(), _decoyHash, password ?? "");
            return Fail();
        }
        if (!await users.CheckPasswordAsync(user, password ?? "")) return Fail();
        // Only someone who knows the password learns that the address is unconfirmed.
        if (!user.EmailConfirmed)
        {
            Errors.Add("Confirm your email address first: open the link in the mail we sent when you signed up.");
            Response.StatusCode = 403;
            return Page();
        }
        await signIn.SignInAsync(user, isPersistent: true);
        return LocalRedirect(SafeReturn(ReturnUrl));
    }

    private PageResult Fail()
    {
        Errors.Add(Failed);
        Response.StatusCode = 400;
        return Page();
    }
}
