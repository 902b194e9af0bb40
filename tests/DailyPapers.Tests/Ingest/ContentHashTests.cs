using System.Runtime.InteropServices;
using System.Text;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Ingest;

/// <summary>
/// Databases store each paper's content hash; if its definition drifted, the next import would rewrite every paper.
/// The hash is XxHash3 of the documented UTF-16 text "id␟title␟abstract␟authors…␟categories␟versions…␟…";
/// this test builds that text independently and compares.
/// </summary>
public sealed class ContentHashTests
{
    [Fact]
    public void HashIsTheDigestOfTheDocumentedTextForEverySamplePaper()
    {
        var lines = File.ReadAllLines(TestEnv.Sample1000);
        Assert.True(lines.Length >= 1000);
        var distinct = new HashSet<long>();
        foreach (var line in lines)
        {
            var r = KaggleSnapshot.Parse(Encoding.UTF8.GetBytes(line), out var error);
            Assert.True(r is not null, error);
            Assert.Equal(Reference(r!), r!.ComputeHash());
            var announced = r with { AnnouncedOn = DateOnly.FromDateTime(r.FirstSubmittedAt) };
            Assert.Equal(Reference(announced), announced.ComputeHash());
            distinct.Add(r.ComputeHash());
        }
        Assert.Equal(lines.Length, distinct.Count);
    }

    [Fact]
    public void AnyStoredFieldChangesTheHash()
    {
        var r = KaggleSnapshot.Parse(Encoding.UTF8.GetBytes(File.ReadLines(TestEnv.Sample1000).First()), out _)!;
        var before = r.ComputeHash();
        Assert.NotEqual(before, (r with { Doi = (r.Doi ?? "") + "x" }).ComputeHash());
        Assert.NotEqual(before, (r with { Withdrawn = !r.Withdrawn }).ComputeHash());
        Assert.NotEqual(before, (r with { Categories = r.Categories.Reverse().Append("cs.XX").ToArray() }).ComputeHash());
    }

    private static long Reference(PaperRecord r)
    {
        const char sep = '\u001f';
        var sb = new StringBuilder();
        sb.Append(r.ArxivId).Append(sep).Append(r.Title).Append(sep).Append(r.Abstract).Append(sep);
        foreach (var a in r.Authors) sb.Append(a.Name).Append('|').Append(a.LastName).Append('|').Append(a.FirstNames).Append(sep);
        sb.Append(string.Join(' ', r.Categories)).Append(sep);
        foreach (var v in r.Versions) sb.Append(v.Version).Append('@').Append(v.CreatedAt.Ticks).Append(v.Size).Append(sep);
        sb.Append(r.Comments).Append(sep).Append(r.JournalRef).Append(sep).Append(r.Doi).Append(sep).Append(r.ReportNo).Append(sep)
          .Append(r.License).Append(sep).Append(r.Submitter).Append(sep).Append(r.UpdatedAt?.Ticks).Append(sep)
          .Append(r.AnnouncedOn?.DayNumber).Append(sep).Append(r.Withdrawn);
        return unchecked((long)System.IO.Hashing.XxHash3.HashToUInt64(MemoryMarshal.AsBytes(sb.ToString().AsSpan())));
    }
}
