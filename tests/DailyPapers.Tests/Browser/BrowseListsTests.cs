using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.Playwright;

namespace DailyPapers.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class BrowseListsTests(BrowserFixture browser)
{
    [Fact]
    public async Task AReaderGoesToTheNextDayOpensAPaperAndSeesItsMathRendered()
    {
        await using var server = await TestServer.StartAsync(TestDatabase.Sqlite);
        await new SnapshotImport(new PaperUpsert(server.Database.Settings)).RunAsync(TestEnv.Sample1000);
        var sample = SampleFile.Read();
        var days = sample.Select(e => e.ListingDate).Distinct().Order().ToList();
        // A paper with inline TeX in its abstract, on a day that has an earlier day before it.
        var withMath = File.ReadLines(TestEnv.Sample1000)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(l))
            .Where(e => e.GetProperty("abstract").GetString()!.Contains("$\\"))
            .Select(e => sample.First(s => s.Id == e.GetProperty("id").GetString()))
            .First(s => days.IndexOf(s.ListingDate) > 0);
        var dayBefore = days[days.IndexOf(withMath.ListingDate) - 1];

        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(server.BaseAddress, $"papers/date/{dayBefore:yyyy-MM-dd}").ToString());
        Assert.Contains(dayBefore.ToString("d MMMM yyyy"), await page.Locator("h1").InnerTextAsync());

        await page.Locator("a.next").ClickAsync();
        await page.WaitForURLAsync($"**/papers/date/{withMath.ListingDate:yyyy-MM-dd}");

        await page.Locator($"a[href='/papers/{withMath.Id}']").ClickAsync();
        await page.WaitForURLAsync($"**/papers/{withMath.Id}");
        await page.Locator("section[aria-labelledby=abs-h] .abstract .katex").First.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 10_000 });

        Assert.True(await page.Locator("section[aria-labelledby=abs-h] .abstract .katex").CountAsync() > 0);
        Assert.Equal(0, await page.Locator("section[aria-labelledby=abs-h] .abstract .katex-error").CountAsync());
        Assert.DoesNotContain("$\\", await page.Locator("section[aria-labelledby=abs-h] .abstract").InnerTextAsync());
    }
}
