using System.Net;
using DailyPapers.Feeds;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Feeds;

public sealed class ExportTests
{
    private static readonly DateOnly Monday = new(2019, 12, 2);

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task PaperExportsAsBibTexRisAndMarkdownWhileItsPageStaysHtml(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        await Seed.UpsertAsync(server,
            Seed.Paper("1912.00001", Monday, "Costs of 50% & more", ["cs.CL", "cs.LG"], doi: "10.1000/xyz"),
            Seed.Paper("hep-th/9901001", new DateOnly(1999, 1, 4), "Old strings", ["hep-th"], ["Ed Witten"]));

        var bib = await server.Client.GetAsync("papers/1912.00001.bib");
        Assert.Equal("application/x-bibtex", bib.Content.Headers.ContentType!.MediaType);
        var bibText = await bib.Content.ReadAsStringAsync();
        Assert.StartsWith("@misc{arXiv:1912.00001,", bibText);
        Assert.Contains("title = {Costs of 50\\% \\& more}", bibText);
        Assert.Contains("author = {Ada Lovelace and Alan Turing}", bibText);
        Assert.Contains("doi = {10.1000/xyz}", bibText);
        Assert.Contains("primaryClass = {cs.CL}", bibText);

        var ris = await server.Client.GetStringAsync("papers/1912.00001v1.ris");
        // A version this instance does not have is no paper (issue 17: it used to answer with the stored one).
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("papers/1912.00001v2.ris")).StatusCode);
        Assert.StartsWith("TY  - UNPB\n", ris);
        Assert.Contains("AU  - Ada Lovelace\nAU  - Alan Turing\n", ris);
        Assert.Contains("DO  - 10.1000/xyz\n", ris);
        Assert.EndsWith("ER  - \n", ris);

        var md = await server.Client.GetAsync("papers/1912.00001.md");
        Assert.Equal("text/markdown", md.Content.Headers.ContentType!.MediaType);
        var mdText = await md.Content.ReadAsStringAsync();
        Assert.StartsWith("# Costs of 50% & more\n", mdText);
        Assert.Contains("**Authors:** Ada Lovelace, Alan Turing", mdText);
        Assert.Contains("## Abstract\n\nAn abstract with $x^2$", mdText);
        Assert.Contains("https://arxiv.org/abs/1912.00001", mdText);

        Assert.Contains("@misc{arXiv:hep-th_9901001,", await server.Client.GetStringAsync("papers/hep-th/9901001.bib"));
        Assert.Contains("# Old strings", await server.Client.GetStringAsync("papers/hep-th/9901001.md"));

        var page = await server.Client.GetAsync("papers/1912.00001");
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("href=\"/papers/1912.00001.bib\"", html);
        Assert.Contains("href=\"/papers/1912.00001.md\"", html);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("papers/1912.09999.md")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("papers/1912.09999.bib")).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ListExportsHoldEveryPaperOfThePeriodAndCategory(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        await Seed.UpsertAsync(server,
            Seed.Paper("1912.00001", Monday, "One", ["cs.CL"]),
            Seed.Paper("1912.00002", Monday, "Two", ["math.CO"]),
            Seed.Paper("1912.00003", Monday.AddDays(6), "Sunday-listed", ["cs.CL"]),
            Seed.Paper("1912.00004", Monday.AddDays(7), "Next week", ["cs.CL"]));

        var day = await server.Client.GetStringAsync("papers/date/2019-12-02.bib");
        Assert.Equal(2, day.Split("@misc{").Length - 1);
        var weekCl = await server.Client.GetStringAsync("papers/week/2019-W49.ris?cat=cs.CL");
        Assert.Equal(2, weekCl.Split("TY  - ").Length - 1);
        Assert.Contains("TI  - Sunday-listed", weekCl);
        Assert.DoesNotContain("Next week", weekCl);
        var month = await server.Client.GetAsync("papers/month/2019-12.bib");
        Assert.Contains("papers-2019-12.bib", month.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("papers/date/2019-02-30.bib")).StatusCode);
        // The list page itself is still the HTML page.
        Assert.Equal("text/html", (await server.Client.GetAsync("papers/date/2019-12-02")).Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public void BibTexValuesKeepTexButCannotBreakTheRecord()
    {
        Assert.Equal("$\\alpha$-stable {Lévy} 100\\% \\& \\#1", Citations.BibValue("$\\alpha$-stable {Lévy} 100% & #1"));
        Assert.Equal("already \\% escaped", Citations.BibValue("already \\% escaped"));
        Assert.Equal("unbalanced brace", Citations.BibValue("unbalanced} brace"));
        Assert.Equal("open brace", Citations.BibValue("open {brace"));
    }
}
