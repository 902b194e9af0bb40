using DailyPapers.Community;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

/// <summary>The whole member journey in real Chromium: sign up, confirm by mail, log in, upvote with htmx, comment with TeX.</summary>
public sealed class BrowserTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task MemberSignsUpConfirmsUpvotesAndCommentsWithRenderedMath(string engine)
    {
        await using var server = await StartAsync(engine);
        var ids = await SeedPapersAsync(server, 1);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new() { BaseURL = server.BaseAddress.ToString() });
        var scriptErrors = new List<string>();
        page.PageError += (_, e) => scriptErrors.Add(e);

        var email = UniqueEmail("browser");
        await page.GotoAsync("/account/signup");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Display name").FillAsync("Marie");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Check your mail");

        var (_, body) = await WaitForMailAsync(email);
        await page.GotoAsync(LinkIn(body));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm my email address" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("confirmed");

        await page.GotoAsync("/account/login?returnUrl=/papers/2501.00001");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync("**/papers/2501.00001");

        // htmx swaps the button in place: the page itself doesn't reload.
        var vote = page.Locator("form.vote-form button");
        await Assertions.Expect(vote).ToHaveAttributeAsync("aria-pressed", "false");
        await vote.ClickAsync();
        await Assertions.Expect(page.Locator("form.vote-form button")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(page.Locator("form.vote-form .count")).ToHaveTextAsync("1");
        Assert.EndsWith("/papers/2501.00001", page.Url);

        await page.GetByLabel("Add a comment").FillAsync("Energy is $E=mc^2$, famously.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();
        var math = page.Locator(".comments .comment-body .katex");
        await Assertions.Expect(math).ToBeVisibleAsync();
        Assert.Contains("E=mc^2", await math.Locator("annotation").TextContentAsync() ?? "");
        Assert.Empty(scriptErrors);

        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(1, (await db.Papers.SingleAsync(p => p.Id == ids[0])).Upvotes);
        Assert.Equal(1, await db.Set<Comment>().CountAsync());
    }
}
