using System.Text;
using DailyPapers.Ingest;
using DailyPapers.Recommend;
using DailyPapers.Search;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Recommend;

/// <summary>
/// The recommender on real records of the 1,000-paper sample, with embeddings computed by the product's embedding work
/// and stored in <c>paper_embeddings</c>: 14 graph-theory papers (discrete mathematics, combinatorics) and 30 papers on
/// other subjects, on SQLite and PostgreSQL.
/// </summary>
public sealed class RecommenderTests
{
    /// <summary>Graph-theory papers of the sample (titles about graphs, categories cs.DM / math.CO / cs.CG / cs.DS).</summary>
    private static readonly string[] Graph =
    [
        "1603.06226", "1404.0169", "1206.5106", "0802.2825", "1604.04978", "1302.3433", "cs/0309017",
        "1609.06111", "1812.10473", "0811.4007", "1408.4902", "0905.1024", "1211.4438", "cs/0609116",
    ];

    private const int Others = 30;

    private sealed record Corpus(TestDatabase Database, Dictionary<string, long> Ids, List<long> GraphIds, List<long> OtherIds) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Database.DisposeAsync();
    }

    /// <summary>The graph papers and the first 30 sample papers that never mention graphs, imported and embedded.</summary>
    private static async Task<Corpus> CreateAsync(string engine)
    {
        var db = await TestDatabase.CreateAsync(engine);
        var records = File.ReadLines(TestEnv.Sample1000)
            .Select(l => KaggleSnapshot.Parse(Encoding.UTF8.GetBytes(l), out _)!)
            .ToList();
        var graph = records.Where(r => Graph.Contains(r.ArxivId)).ToList();
        Assert.Equal(Graph.Length, graph.Count);
        var others = records.Where(r => !(r.Title + r.Abstract).Contains("graph", StringComparison.OrdinalIgnoreCase)).Take(Others).ToList();
        await new PaperUpsert(db.Settings).UpsertAsync([.. graph, .. others]);
        await new EmbeddingWork(db.Settings, new VectorIndex(), () => Embedder.Shared).RunToCompletionAsync(64);
        await using var ctx = db.Settings.CreateContext();
        var ids = await ctx.Papers.ToDictionaryAsync(p => p.ArxivId, p => p.Id);
        return new Corpus(db, ids, Graph.Select(a => ids[a]).ToList(), others.Select(r => ids[r.ArxivId]).ToList());
    }

    /// <summary>Candidates interleaved (one graph paper, then four others) so the input order favours nothing.</summary>
    private static List<long> Interleave(IReadOnlyList<long> graph, IReadOnlyList<long> others)
    {
        var list = new List<long>();
        for (int g = 0, o = 0; g < graph.Count || o < others.Count;)
        {
            if (g < graph.Count) list.Add(graph[g++]);
            for (int k = 0; k < 4 && o < others.Count; k++) list.Add(others[o++]);
        }
        return list;
    }

    private static int Rank(IReadOnlyList<Ranked> ranked, long id) => ranked.Select(r => r.PaperId).ToList().IndexOf(id);

    private static void AssertEveryCandidateOnce(IReadOnlyList<Ranked> ranked, IReadOnlyCollection<long> candidates)
    {
        Assert.Equal(candidates.Order(), ranked.Select(r => r.PaperId).Order());
        for (int i = 1; i < ranked.Count; i++) Assert.True(ranked[i - 1].Score >= ranked[i].Score, "best first");
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AReaderOfGraphPapersGetsGraphPapersFirstAndNotInterestedLowersSimilarOnes(string engine)
    {
        await using var corpus = await CreateAsync(engine);
        var positives = corpus.GraphIds.Take(7).ToList();        // enough for the fitted model (≥ 5)
        var graphCandidates = corpus.GraphIds.Skip(7).ToList();
        var candidateIds = Interleave(graphCandidates, corpus.OtherIds);
        await using var db = corpus.Database.Settings.CreateContext();
        var set = await CandidateSet.LoadAsync(db, candidateIds, default);

        var ranked = await Recommender.RankAsync(db, set, new ReaderSignals(positives, []), default);
        AssertEveryCandidateOnce(ranked, candidateIds);
        // 7 graph papers among 37: the first 7 places hold at least 6 of them (a random order holds 1.3 on average).
        Assert.True(ranked.Take(7).Count(r => graphCandidates.Contains(r.PaperId)) >= 6,
            string.Join(", ", ranked.Take(7).Select(r => corpus.Ids.First(kv => kv.Value == r.PaperId).Key)));
        // The reason line names positives, the most similar first.
        Assert.All(ranked, r => Assert.Equal(3, r.LikePositives.Count));
        Assert.All(ranked, r => Assert.All(r.LikePositives, p => Assert.Contains(p, positives)));

        // "Not interested" on the top graph candidate: it and its nearest graph neighbour (by embedding) move down.
        long dismissed = ranked.First(r => graphCandidates.Contains(r.PaperId)).PaperId;
        var vectors = await db.Set<PaperEmbedding>().Where(e => e.Model == Embedder.ModelName).ToDictionaryAsync(e => e.PaperId, e => Embedder.FromBytes(e.Vector));
        long neighbour = graphCandidates.Where(id => id != dismissed)
            .OrderByDescending(id => System.Numerics.Tensors.TensorPrimitives.Dot(vectors[id], vectors[dismissed])).First();
        var after = await Recommender.RankAsync(db, set, new ReaderSignals(positives, [dismissed]), default);
        AssertEveryCandidateOnce(after, candidateIds);
        Assert.True(Rank(after, dismissed) > Rank(ranked, dismissed) + 5, $"dismissed {Rank(ranked, dismissed)} → {Rank(after, dismissed)}");
        Assert.True(after.First(r => r.PaperId == neighbour).Score < ranked.First(r => r.PaperId == neighbour).Score);
        // Among the other candidates (the dismissed one left out of both lists) its nearest neighbour does not move up.
        var beforeRest = ranked.Where(r => r.PaperId != dismissed).ToList();
        var afterRest = after.Where(r => r.PaperId != dismissed).ToList();
        Assert.True(Rank(afterRest, neighbour) >= Rank(beforeRest, neighbour), $"neighbour {Rank(beforeRest, neighbour)} → {Rank(afterRest, neighbour)}");
        // The other graph papers still lead the rest.
        Assert.True(after.Take(7).Count(r => graphCandidates.Contains(r.PaperId)) >= 5);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ColdStartRanksBySimilarityToTwoSeedsAndNoPositivesKeepsThePriorOrder(string engine)
    {
        await using var corpus = await CreateAsync(engine);
        var seeds = corpus.GraphIds.Take(2).ToList();
        var graphCandidates = corpus.GraphIds.Skip(2).Take(6).ToList();
        var candidateIds = Interleave(graphCandidates, corpus.OtherIds);
        await using var db = corpus.Database.Settings.CreateContext();
        var set = await CandidateSet.LoadAsync(db, candidateIds, default);

        var cold = await Recommender.RankAsync(db, set, new ReaderSignals(seeds, []), default);
        AssertEveryCandidateOnce(cold, candidateIds);
        // 6 graph papers among 36: at least 4 in the first 6 places (a random order has 1 on average).
        Assert.True(cold.Take(6).Count(r => graphCandidates.Contains(r.PaperId)) >= 4,
            string.Join(", ", cold.Take(6).Select(r => corpus.Ids.First(kv => kv.Value == r.PaperId).Key)));
        Assert.All(cold, r => Assert.Equal(seeds.Order(), r.LikePositives.Order()));

        // No positives: the caller's prior decides, in its order; without a prior, the candidates' own order.
        var prior = candidateIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => (double)((x.i * 7) % candidateIds.Count));
        var none = await Recommender.RankAsync(db, set, new ReaderSignals([], [], prior), default);
        Assert.Equal(candidateIds.OrderByDescending(id => prior[id]), none.Select(r => r.PaperId));
        Assert.All(none, r => Assert.Empty(r.LikePositives));
        var plain = await Recommender.RankAsync(db, set, new ReaderSignals([], []), default);
        Assert.Equal(candidateIds, plain.Select(r => r.PaperId));

        // Two seeds and a prior that favours the non-graph papers: with so few positives the prior weighs more than
        // half (5 / (5 + 2)), yet the seeds still lift the graph papers above where the prior alone puts them.
        var againstGraph = candidateIds.ToDictionary(id => id, id => graphCandidates.Contains(id) ? 0.0 : 1.0);
        var blended = await Recommender.RankAsync(db, set, new ReaderSignals(seeds, [], againstGraph), default);
        var priorOnly = await Recommender.RankAsync(db, set, new ReaderSignals([], [], againstGraph), default);
        Assert.True(graphCandidates.Average(id => Rank(blended, id)) < graphCandidates.Average(id => Rank(priorOnly, id)));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task PapersWithoutAnEmbeddingStillRankByTheirText(string engine)
    {
        await using var corpus = await CreateAsync(engine);
        var positives = corpus.GraphIds.Take(7).ToList();
        var graphCandidates = corpus.GraphIds.Skip(7).ToList();
        var withoutVector = graphCandidates.Take(4).Concat(corpus.OtherIds.Take(10)).ToList();
        await using var db = corpus.Database.Settings.CreateContext();
        await db.Set<PaperEmbedding>().Where(e => withoutVector.Contains(e.PaperId)).ExecuteDeleteAsync();
        var candidateIds = Interleave(graphCandidates, corpus.OtherIds);
        var set = await CandidateSet.LoadAsync(db, candidateIds, default);

        var ranked = await Recommender.RankAsync(db, set, new ReaderSignals(positives, []), default);
        AssertEveryCandidateOnce(ranked, candidateIds);
        // The four graph papers without a vector rank in the first half, well above the non-graph papers without one.
        var unembeddedOthers = corpus.OtherIds.Take(10).ToList();
        var graphRanks = graphCandidates.Take(4).Select(id => Rank(ranked, id)).ToList();
        var otherRanks = unembeddedOthers.Select(id => Rank(ranked, id)).ToList();
        Assert.True(graphRanks.Max() < ranked.Count / 2 && graphRanks.Average() + 10 < otherRanks.Average(),
            $"graph without vector at {string.Join(",", graphRanks)}, others without vector at {string.Join(",", otherRanks)}");
        Assert.True(ranked.Take(7).Count(r => graphCandidates.Contains(r.PaperId)) >= 5);
    }
}
