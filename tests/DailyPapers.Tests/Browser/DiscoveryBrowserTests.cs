using DailyPapers.Ingest;
using DailyPapers.Tests.Api;
using DailyPapers.Tests.Support;
using Microsoft.Playwright;

namespace DailyPapers.Tests.Browser;

/// <summary>Issue 15 in a real browser: a day of the HF history with its signals, a 402-author list, the header's size.</summary>
[Collection(BrowserCollection.Name)]
public class DiscoveryBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task ADayPageShowsStarsAndALongAuthorListOpensOnDemand()
    {
        await using var server = await TestServer.StartAsync(TestDatabase.Sqlite);
        var dir = HfFixtures.ExtractDays("2026-07-28");
        try { await server.App.Services.GetRequiredService<HfDailyImport>().RunAsync(dir); }
        finally { Directory.Delete(dir, true); }

        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await using var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, ColorScheme = scheme });
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri(server.BaseAddress, "papers/date/2026-07-28").ToString());

            var first = page.Locator("ol.papers > li.card").First;
            Assert.Contains("Kimi K3", await first.Locator("h3").InnerTextAsync());
            var stars = first.Locator("a.stars");
            Assert.Equal("★ 2,577", (await stars.InnerTextAsync()).Trim());
            Assert.Equal("https://github.com/MoonshotAI/Kimi-K3", await stars.GetAttributeAsync("href"));

            // 402 authors: five are named, the rest wait behind the disclosure.
            var authors = first.Locator("details.authors");
            Assert.Null(await authors.GetAttributeAsync("open"));
            Assert.Contains("and 397 more", await authors.Locator("summary").InnerTextAsync());
            Assert.False(await authors.Locator(".rest").IsVisibleAsync());
            var closedHeight = (await first.BoundingBoxAsync())!.Height;
            await authors.Locator("summary").ClickAsync();
            Assert.NotNull(await authors.GetAttributeAsync("open"));
            Assert.True(await authors.Locator(".rest").IsVisibleAsync());
            Assert.False(await authors.Locator(".more").IsVisibleAsync());
            Assert.True((await first.BoundingBoxAsync())!.Height > closedHeight + 100, "the full list takes room only when opened");

            // The header is one row at 1280 px.
            var header = (await page.Locator("header.site").BoundingBoxAsync())!;
            Assert.True(header.Height <= 64, $"header is {header.Height}px tall at 1280px ({scheme})");
        }

        await using (var phone = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 375, Height = 812 } }))
        {
            var page = await phone.NewPageAsync();
            await page.GotoAsync(new Uri(server.BaseAddress, "papers/date/2026-07-28").ToString());
            var header = (await page.Locator("header.site").BoundingBoxAsync())!;
            Assert.True(header.Height <= 64, $"header is {header.Height}px tall on a phone");
            Assert.True(await page.Locator("header .search-link").IsVisibleAsync());
            // Nothing on the page is wider than the screen.
            var wide = await page.EvaluateAsync<string>(@"() => {
                const w = document.documentElement.clientWidth;
                return [...document.querySelectorAll('body *')]
                    .filter(e => !e.closest('header.site') && e.getBoundingClientRect().right > w + 1)
                    .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ');
            }");
            Assert.True(wide.Length == 0, "wider than the phone's screen: " + wide);
            Assert.False(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth"), "the day page scrolls sideways on a phone");
        }
    }
}
