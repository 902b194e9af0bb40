using DailyPapers.Tests.Support;
using Microsoft.Playwright;
using static DailyPapers.Tests.Search.SearchTestSupport;

namespace DailyPapers.Tests.Search;

public sealed class SearchBrowserTests
{
    [Fact]
    public async Task SearchFromTheHeaderShowsHighlightedResultsAndLeadsToSimilarPapers()
    {
        await using var server = await StartWithSampleAsync(TestDatabase.Sqlite);
        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.BaseAddress.ToString());

        await page.FillAsync("header form.search input[name=q]", "energy disaggregation");
        await page.PressAsync("header form.search input[name=q]", "Enter");
        await page.WaitForURLAsync("**/search?q=energy+disaggregation");
        Assert.True(await page.Locator(".search-results mark").CountAsync() > 0);
        var first = page.Locator(".search-results h3 a").First;
        Assert.Contains("Energy Disaggregation", await first.InnerTextAsync());

        await first.ClickAsync();
        await page.WaitForURLAsync($"**/papers/{NilmId}");
        var similar = page.Locator("section.similar h3 a").First;
        var title = await similar.InnerTextAsync();
        await similar.ClickAsync();
        await page.WaitForURLAsync(u => !u.EndsWith(NilmId, StringComparison.Ordinal));
        Assert.Equal(title, await page.Locator("#paper-title").InnerTextAsync());
    }
}
