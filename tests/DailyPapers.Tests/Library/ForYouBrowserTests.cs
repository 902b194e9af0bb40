using DailyPapers.Library;
using DailyPapers.Tests.Browser;
using DailyPapers.Tests.Feeds;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static DailyPapers.Tests.Community.CommunityKit;
using static DailyPapers.Tests.Library.LibraryKit;

namespace DailyPapers.Tests.Library;

/// <summary>Save and "not interested" from a card with htmx in real Chromium, the Reading list, and For you on a phone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ForYouBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task SaveAndNotInterestedFromACardThenForYouOnAPhoneHasNoSidewaysScroll()
    {
        await using var server = await StartAsync("sqlite");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await Seed.UpsertAsync(server,
            Topic("2501.00001", today, "graph", 1), Topic("2501.00002", today, "quantum", 2), Topic("2501.00003", today, "astro", 3,
                authors: ["A. Very-Long-Hyphenated-Surname-That-Could-Overflow", "Another Author With A Long Name", "Third Person"]));
        var email = UniqueEmail("phone");
        var user = await CreateMemberAsync(server, email, "Phone");
        await using var context = await browser.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 375, Height = 800 } });
        var page = await context.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, e) => scriptErrors.Add(e);
        await page.GotoAsync("/account/login?returnUrl=/for-you");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync("**/for-you");
        await Assertions.Expect(page.Locator(".invitation")).ToContainTextAsync("Make this page yours");

        // Save with htmx: the button changes in place, the page does not reload.
        var card = page.Locator("#act-" + await IdAsync(server, "2501.00001"));
        await card.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(card.Locator("button.save")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.EndsWith("/for-you", page.Url);
        var quantum = page.Locator("#act-" + await IdAsync(server, "2501.00002"));
        await quantum.GetByRole(AriaRole.Button, new() { Name = "Not interested" }).ClickAsync();
        await Assertions.Expect(quantum.Locator("button.not-interested")).ToHaveAttributeAsync("aria-pressed", "true");

        // The Reading list has the paper; For you no longer shows the one marked "not interested".
        await page.GotoAsync("/library");
        await page.GetByRole(AriaRole.Link, new() { Name = "Reading list" }).ClickAsync();
        await Assertions.Expect(page.Locator("ol.saved-items")).ToContainTextAsync("Graph neural networks");
        await page.GotoAsync("/for-you");
        await Assertions.Expect(page.Locator("ol.papers")).Not.ToContainTextAsync("Quantum error correction");
        await Assertions.Expect(page.Locator("ol.papers")).ToContainTextAsync("Galaxy cluster");

        // 375 px wide: nothing sticks out sideways (the header's own scroller aside).
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page scrolls sideways by {overflow} px at 375 px");
        Assert.Empty(scriptErrors);

        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(1, await db.Set<CollectionItem>().CountAsync());
        Assert.Equal(1, await db.Set<NotInterested>().CountAsync(n => n.UserId == user.Id));
    }

    private static async Task<long> IdAsync(TestServer server, string arxivId)
    {
        await using var db = server.Database.Settings.CreateContext();
        return await db.Papers.Where(p => p.ArxivId == arxivId).Select(p => p.Id).SingleAsync();
    }
}
