using DailyPapers.Tests.Browser;
using Microsoft.Playwright;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

/// <summary>The delete-account page in real Chromium: readable at desktop and phone widths in both colour schemes, and it deletes.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountDeletionBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheDeletePageFitsAPhoneInLightAndDarkAndDeletesWithThePassword()
    {
        await using var server = await StartAsync("sqlite");
        var email = UniqueEmail("delete-ui");
        await CreateMemberAsync(server, email, "Leaving");
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            foreach (var width in new[] { 1280, 390 })
            {
                await using var context = await browser.Browser.NewContextAsync(new()
                {
                    BaseURL = server.BaseAddress.ToString(), ColorScheme = scheme, ViewportSize = new() { Width = width, Height = 900 },
                });
                var page = await context.NewPageAsync();
                await page.GotoAsync("/account/login?returnUrl=/account/delete");
                await page.GetByLabel("Email address").FillAsync(email);
                await page.GetByLabel("Password").FillAsync(Password);
                await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
                await page.WaitForURLAsync("**/account/delete");
                var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
                Assert.True(overflow <= 0, $"the page scrolls sideways by {overflow} px at {width} px ({scheme})");
                await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), $"dp-delete-{scheme}-{width}.png"), FullPage = true });
                // The wrong password is refused on the page itself, with the reason, and the form stays.
                await page.GetByLabel("Your password").FillAsync("not my password");
                await page.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
                await Assertions.Expect(page.Locator(".errors")).ToContainTextAsync("nothing was deleted");
                if (scheme == ColorScheme.Dark && width == 390)
                {
                    await page.GetByLabel("Your password").FillAsync(Password);
                    await page.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
                    await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Your account is deleted");
                    await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "dp-delete-done.png"), FullPage = true });
                }
            }
    }
}
