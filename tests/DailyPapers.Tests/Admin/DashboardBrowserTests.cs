using DailyPapers.Community;
using DailyPapers.Ingest;
using DailyPapers.Tests.Browser;
using DailyPapers.Tests.Community;
using DailyPapers.Tests.Support;
using Microsoft.Playwright;

namespace DailyPapers.Tests.Admin;

/// <summary>The dashboard in headless Chromium: light and dark, desktop and phone width.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture browser)
{
    /// <summary>WCAG 2 contrast ratio of two CSS colours "rgb(r, g, b)".</summary>
    private const string ContrastScript = """
        ([a, b]) => {
          const lum = c => { const v = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
                             return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
          const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
          return (l1 + 0.05) / (l2 + 0.05);
        }
        """;

    [Fact]
    public async Task TheDashboardReadsInLightAndDarkAndFitsAPhone()
    {
        await using var server = await DashboardTests.StartAsync(TestDatabase.Sqlite);
        var email = CommunityKit.UniqueEmail("ops-browser");
        await CommunityKit.CreateMemberAsync(server, email, role: Roles.Admin);
        var day = new DateOnly(2019, 12, 2);
        await CommunityKit.SeedPapersAsync(server, 12, day);
        await using (var ctx = server.Database.Settings.CreateContext())
        {
            ctx.Add(new IngestDay { SetSpec = "cs", Day = day, Status = IngestDayStatus.Short, Listed = 15, Stored = 12, CheckedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        var colours = new Dictionary<string, (string Bar, string Text)>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            foreach (var (width, height) in new[] { (1280, 900), (390, 844) })
            {
                await using var context = await browser.Browser.NewContextAsync(new()
                {
                    BaseURL = server.BaseAddress.ToString(), ColorScheme = scheme, ViewportSize = new() { Width = width, Height = height },
                });
                var page = await context.NewPageAsync();
                await page.GotoAsync("/account/login?returnUrl=/admin");
                await page.GetByLabel("Email address").FillAsync(email);
                await page.GetByLabel("Password").FillAsync(CommunityKit.Password);
                await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
                await page.WaitForURLAsync("**/admin");

                var chart = page.Locator("#chart-papers");
                await Assertions.Expect(chart.Locator("svg.chart-svg")).ToBeVisibleAsync();
                Assert.Equal(0, await page.EvaluateAsync<int>("() => document.querySelectorAll('script:not([src])').length"));
                // Nothing wider than the screen: wide charts and tables scroll inside their own box (as the header does on a phone).
                var wider = await page.EvaluateAsync<string>("""
                    () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                      .filter(e => !e.closest('.chart-scroll, .table-scroll, header.site')).slice(0, 5)
                      .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')
                    """);
                Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"the page scrolls sideways at {width} px ({scheme}): {wider}");
                var box = await chart.BoundingBoxAsync();
                Assert.True(box!.Width <= width, $"chart is {box.Width} px wide on a {width} px screen");

                // Bars and labels are drawn in the scheme's colours, and bars stand out from the card (WCAG 1.4.11: 3:1).
                var bar = chart.Locator("rect[data-series='from arXiv (harvest, import)']").First;
                var barFill = await bar.EvaluateAsync<string>("e => getComputedStyle(e).fill");
                var textFill = await chart.Locator("svg text").First.EvaluateAsync<string>("e => getComputedStyle(e).fill");
                var card = await chart.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
                Assert.True(await page.EvaluateAsync<double>(ContrastScript, new[] { barFill, card }) >= 3, $"{barFill} on {card} ({scheme})");
                Assert.True(await page.EvaluateAsync<double>(ContrastScript, new[] { textFill, card }) >= 3, $"{textFill} on {card} ({scheme})");
                colours[$"{scheme}"] = (barFill, textFill);

                // The table behind the toggle shows the bar's number.
                var table = chart.Locator("table.chart-table");
                await Assertions.Expect(table).Not.ToBeVisibleAsync();
                await chart.Locator("summary").ClickAsync();
                await Assertions.Expect(table).ToBeVisibleAsync();
                Assert.Equal("12", await bar.GetAttributeAsync("data-value"));
                Assert.Equal("12", (await table.Locator("tbody tr").First.Locator("td").First.InnerTextAsync()).Trim());
                Assert.Equal("15", (await table.Locator("tbody tr").First.Locator("td[data-series='arXiv listed (cs)']").InnerTextAsync()).Trim());

                await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), $"dp-dashboard-{scheme}-{width}.png"), FullPage = true });
            }
        Assert.NotEqual(colours["Light"], colours["Dark"]);
    }
}
