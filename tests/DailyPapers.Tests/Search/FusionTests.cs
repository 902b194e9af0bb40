using DailyPapers.Search;

namespace DailyPapers.Tests.Search;

/// <summary>The product's fusion rule on constructed score lists: z-scores, weights that follow each list's peak, floors.</summary>
public sealed class FusionTests
{
    private static List<long> Order(List<(long, float)> kw, List<(long, float)> sem, FusionSettings? s = null) =>
        Fusion.Fuse(kw, sem, s ?? FusionSettings.Default).Select(f => f.Id).ToList();

    [Fact]
    public void ZScoresAreOverTheListWithItsPeakAndFloor()
    {
        var (z, peak, floor) = Fusion.ZScores([(1, 4f), (2, 2f), (3, 0f)]); // mean 2, population sd √(8/3)
        double sd = Math.Sqrt(8.0 / 3);
        Assert.Equal(2 / sd, z[1], 9);
        Assert.Equal(0, z[2], 9);
        Assert.Equal(-2 / sd, z[3], 9);
        Assert.Equal(2 / sd, peak, 9);
        Assert.Equal(-2 / sd, floor, 9);
        var flat = Fusion.ZScores([(1, 3f), (2, 3f)]);
        Assert.Equal((0.0, 0.0), (flat.Peak, flat.Floor)); // no spread: no NaN
        Assert.Empty(Fusion.ZScores([]).Z);
    }

    // Twenty candidates each; paper 1 is the keyword list's best, paper 2 the semantic list's best.
    private static List<(long, float)> List(long best, float top, float rest, long offset) =>
        [(best, top), .. Enumerable.Range(0, 19).Select(i => (offset + i, rest - i * 0.01f * rest))];

    [Fact]
    public void AQueryLeansOnTheListWhoseBestStandsOut()
    {
        // Keyword list with a clear winner, semantic list nearly flat: the keyword winner ranks first — where the old
        // fixed weight (0.4 on keywords) put the semantic list's best first.
        var kw = List(1, 30f, 8f, 100);
        var sem = List(2, 0.62f, 0.61f, 200);
        Assert.Equal(1, Order(kw, sem)[0]);
        Assert.Equal(2, Order(kw, sem, new FusionSettings(FusionMethod.Weighted, RescoreKeywordHits: false))[0]);
        // And the other way round: a flat keyword list, a semantic list with a clear winner.
        var flatKw = List(1, 8.2f, 8f, 100);
        var peakedSem = List(2, 0.9f, 0.4f, 200);
        Assert.Equal(2, Order(flatKw, peakedSem)[0]);
    }

    [Fact]
    public void APaperInBothListsBeatsOneInOnlyOneWithTheSameScores()
    {
        // Paper 5 is second in both lists; 1 and 2 are first in one list each and absent (the list's floor) from the other.
        List<(long, float)> kw = [(1, 10f), (5, 9f), (3, 2f), (4, 1f)];
        List<(long, float)> sem = [(2, .8f), (5, .75f), (6, .3f), (7, .2f)];
        Assert.Equal(5, Order(kw, sem)[0]);
    }

    [Fact]
    public void AMissingListLeavesTheOtherListsOrder()
    {
        List<(long, float)> sem = [(3, .9f), (1, .5f), (2, .4f)];
        Assert.Equal([3L, 1L, 2L], Order([], sem));
        Assert.Equal([3L, 1L, 2L], Order(sem, []));
    }

    [Fact]
    public void TheOrderDoesNotDependOnEachListsScale()
    {
        // z-scores are the same after any positive scaling and shift: no per-collection constant is hidden in the rule.
        var rng = new Random(5);
        var kw = Enumerable.Range(0, 50).Select(i => ((long)rng.Next(1, 80), (float)(rng.NextDouble() * 20))).DistinctBy(x => x.Item1).OrderByDescending(x => x.Item2).ToList();
        var sem = Enumerable.Range(0, 50).Select(i => ((long)rng.Next(1, 80), (float)rng.NextDouble())).DistinctBy(x => x.Item1).OrderByDescending(x => x.Item2).ToList();
        var scaled = Order(kw.Select(x => (x.Item1, x.Item2 * 7 + 3)).ToList(), sem.Select(x => (x.Item1, x.Item2 * 0.5f - 0.2f)).ToList());
        Assert.Equal(Order(kw, sem), scaled);
    }

    [Fact]
    public void TiesAreBrokenByPaperId()
    {
        List<(long, float)> kw = [(9, 1f), (4, 1f)];
        Assert.Equal([4L, 9L], Order(kw, []));
    }
}
