using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using DailyPapers.Ingest;

namespace DailyPapers.Tests.Ingest;

/// <summary>Every recorded arXiv response parses to the right papers.</summary>
public sealed class ParserTests
{
    [Theory]
    [InlineData("arxiv_GetRecord_arXiv_1412.8544.xml", 1)]
    [InlineData("arxiv_ListRecords_arXivRaw_1000records_resumptionToken_2014.xml", 1000)]
    [InlineData("arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml", 2)]
    [InlineData("arxiv_ListRecords_oai_dc_set-cs_2024-01-27_5records.xml", 5)]
    [InlineData("hepcrawl_arxiv-physics-hep-ex.xml", 3)]
    [InlineData("hepcrawl_arxiv-physics-hep-th.xml", 3)]
    [InlineData("hepcrawl_arxiv-single.xml", 1)]
    [InlineData("hepcrawl_sample_arxiv_record.xml", 12)]
    public void EveryOaiFixtureRecordBecomesAPaper(string file, int records)
    {
        var page = OaiPmhParser.Parse(Fixtures.Load(Fixtures.Oai(file)));
        Assert.Equal(records, page.Items.Count);
        Assert.All(page.Items, i => Assert.Null(i.Rejected));
        Assert.All(page.Items, i => Assert.Equal(i.ArxivId, i.Paper!.ArxivId));
        Assert.All(page.Items, i => Assert.NotEmpty(i.Paper!.Authors));
        Assert.All(page.Items, i => Assert.All(i.Paper!.Categories, c => Assert.True(DailyPapers.Papers.Categories.IsValidCode(c), c)));
    }

    [Fact]
    public void TheRecordedListIdentifiersPageGivesEveryHeaderWithItsDatestamp()
    {
        var page = OaiPmhParser.ParseIdentifiers(Fixtures.Load(Fixtures.Oai("arxiv_ListIdentifiers_arXiv_2009-01-01_2009-01-02.xml")));
        Assert.Equal(86, page.Headers.Count);
        Assert.Null(page.ResumptionToken);
        Assert.Equal(63, page.Headers.Count(h => h.Datestamp == new DateOnly(2009, 1, 1)));
        Assert.Equal(23, page.Headers.Count(h => h.Datestamp == new DateOnly(2009, 1, 2)));
        Assert.Equal("0705.4175", page.Headers[0].ArxivId);
        Assert.DoesNotContain(page.Headers, h => h.Deleted);
    }

    [Fact]
    public void ArxivRawKeepsEveryVersionAndSplitsAuthorsAroundAffiliations()
    {
        var page = OaiPmhParser.Parse(Fixtures.Load(Fixtures.Oai("arxiv_ListRecords_arXivRaw_1000records_resumptionToken_2014.xml")));
        Assert.Equal("496549|47001", page.ResumptionToken);
        Assert.Equal(907096, page.CompleteListSize);
        var p = page.Items.Single(i => i.ArxivId == "0801.3674").Paper!;
        Assert.Equal(4, p.LatestVersion);
        Assert.Equal(new DateTime(2008, 1, 23, 21, 13, 53, DateTimeKind.Utc), p.FirstSubmittedAt);
        Assert.Equal(["hep-th", "astro-ph", "gr-qc", "hep-ph"], p.Categories);
        Assert.Equal(["Robert H. Brandenberger", "Keshav Dasgupta", "Anne-Christine Davis"], p.Authors.Select(a => a.Name));
        Assert.Equal("10.1103/PhysRevD.78.083502", p.Doi);
        Assert.Equal("Phys.Rev.D78:083502,2008", p.JournalRef);
        Assert.Equal("Robert Brandenberger", p.Submitter);
        Assert.StartsWith("A Study of Structure Formation and Reheating in the D3/D7 Brane Inflation Model", p.Title);
    }

    [Fact]
    public void ArxivFormatReadsStructuredAuthorsAndOldStyleIds()
    {
        var page = OaiPmhParser.Parse(Fixtures.Load(Fixtures.Oai("arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml")));
        var p = page.Items[0].Paper!;
        Assert.Equal("1412.8544", p.ArxivId);
        Assert.Equal([("Uijlen", "Sander"), ("Westerbaan", "Bas")], p.Authors.Select(a => (a.LastName!, a.FirstNames!)));
        Assert.Equal("EPTCS 172, 2014, pp. 154-164", p.JournalRef);
        Assert.Equal(["cs.DM"], p.Categories);
        Assert.Equal("hep-th/9504118", page.Items[1].ArxivId);
        Assert.Null(page.ResumptionToken);
    }

    [Fact]
    public void OaiDcSubjectNamesMapToCategoryCodes()
    {
        var page = OaiPmhParser.Parse(Fixtures.Load(Fixtures.Oai("arxiv_ListRecords_oai_dc_set-cs_2024-01-27_5records.xml")));
        Assert.Equal("6960524|1001", page.ResumptionToken);
        var p = page.Items.Single(i => i.ArxivId == "1303.2033").Paper!;
        Assert.Equal(["cs.DS", "cs.IT", "math.NA"], p.Categories);
        Assert.Equal("32 pages, 9 figures", p.Comments);
        Assert.Equal(2, p.LatestVersion);
        Assert.Equal(("Liepins", "Vilnis"), (p.Authors[0].LastName, p.Authors[0].FirstNames));
        Assert.StartsWith("This summary of the doctoral thesis", p.Abstract);
    }

    [Fact]
    public void EverySubjectNameOfThe2017StreamIsInTheTaxonomy()
    {
        var unknown = new SortedSet<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Support.TestEnv.SharedData, "oai-daily-2017"), "*.json.gz"))
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress));
            while (reader.ReadLine() is { } line)
            {
                using var doc = JsonDocument.Parse(line);
                foreach (var s in doc.RootElement[1].GetProperty("subject").EnumerateArray().Select(e => e.GetString()!))
                    // Category names are "<group> - <name>"; MSC/ACM classes and submitters' free keywords are not categories.
                    if (ArxivTaxonomy.GroupNames.Any(g => s.StartsWith(g + " - ", StringComparison.Ordinal)) && ArxivTaxonomy.CodeFor(s) is null) unknown.Add(s);
            }
        }
        Assert.Empty(unknown);
        Assert.Equal("cs.LG", ArxivTaxonomy.CodeFor("Computer Science - Learning"));
        Assert.Equal("cs.LG", ArxivTaxonomy.CodeFor("Computer Science - Machine Learning"));
        foreach (var (name, code) in new[] { ("Quantum Physics", "quant-ph"), ("Mathematical Physics", "math-ph"), ("Nuclear Theory", "nucl-th"),
                     ("General Relativity and Quantum Cosmology", "gr-qc"), ("Astrophysics", "astro-ph"), ("High Energy Physics - Lattice", "hep-lat") })
            Assert.Equal(code, ArxivTaxonomy.CodeFor(name));
    }

    [Fact]
    public void DeletedRecordsAndOaiErrorsAreRecognised()
    {
        var deleted = XDocument.Parse("""
            <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>
            <record><header status="deleted"><identifier>oai:arXiv.org:1501.00001</identifier><datestamp>2015-01-05</datestamp></header></record>
            </ListRecords></OAI-PMH>
            """);
        var item = Assert.Single(OaiPmhParser.Parse(deleted).Items);
        Assert.True(item.Deleted);
        Assert.Equal("1501.00001", item.ArxivId);

        var none = XDocument.Parse("""<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="noRecordsMatch">nothing</error></OAI-PMH>""");
        Assert.Empty(OaiPmhParser.Parse(none).Items);
        var bad = XDocument.Parse("""<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badResumptionToken">expired</error></OAI-PMH>""");
        Assert.Equal("badResumptionToken", Assert.Throws<OaiPmhErrorException>(() => OaiPmhParser.Parse(bad)).Code);
    }

    [Theory]
    [InlineData("ewan-m_all_science_2019.atom.xml", 120839, 0)]
    [InlineData("orijtech_deep_dream_start0.atom.xml", 24617, 0)]
    [InlineData("orijtech_deep_dream_start1.atom.xml", 24617, 1)]
    [InlineData("orijtech_deep_dream_start2.atom.xml", 24617, 2)]
    public void EveryApiFixtureEntryBecomesAPaper(string file, long total, int start)
    {
        var page = ArxivAtomParser.Parse(Fixtures.Load(Fixtures.Api(file)));
        Assert.Equal(10, page.Papers.Count);
        Assert.Equal(0, page.Rejected);
        Assert.Equal(total, page.TotalResults);
        Assert.Equal(start, page.StartIndex);
        Assert.All(page.Papers, p => Assert.All(p.Categories, c => Assert.True(DailyPapers.Papers.Categories.IsValidCode(c), c)));
    }

    [Fact]
    public void ApiEntryCarriesPrimaryCategoryVersionDoiAndJournal()
    {
        var dream = ArxivAtomParser.Parse(Fixtures.Load(Fixtures.Api("orijtech_deep_dream_start0.atom.xml"))).Papers[0];
        Assert.Equal("1611.09520", dream.ArxivId);
        Assert.Equal(2, dream.LatestVersion);
        Assert.Equal("q-bio.NC", dream.Categories[0]);
        Assert.Equal(["Tomoyasu Horikawa", "Yukiyasu Kamitani"], dream.Authors.Select(a => a.Name));
        Assert.Equal(new DateTime(2016, 11, 29, 8, 18, 38, DateTimeKind.Utc), dream.FirstSubmittedAt);

        var science = ArxivAtomParser.Parse(Fixtures.Load(Fixtures.Api("ewan-m_all_science_2019.atom.xml"))).Papers;
        var withDoi = science.First(p => p.Doi == "10.1007/s11191-014-9716-8");
        Assert.Equal("Science & Education, September 2014, 23(9): 1853-1873", withDoi.JournalRef);
        Assert.StartsWith("Conference funded by NSF", withDoi.Comments);
    }

    [Fact]
    public void WithdrawalCommentsMarkThePaperWithdrawn()
    {
        Assert.True(Withdrawal.IsWithdrawn("This paper has been withdrawn by the author due to an error in Lemma 2"));
        Assert.True(Withdrawal.IsWithdrawn("Withdrawn: duplicate of 1501.00001"));
        Assert.False(Withdrawal.IsWithdrawn("12 pages; the earlier claim is withdrawn in v3"));
        Assert.False(Withdrawal.IsWithdrawn(null));
    }
}
