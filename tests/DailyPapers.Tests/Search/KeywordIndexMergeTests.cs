using DailyPapers.Search;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Search;

public sealed class KeywordIndexMergeTests
{
    [Fact]
    public async Task MergingIntoOneSegmentKeepsEveryResultAndScore()
    {
        var dir = TestEnv.NewTempDir();
        using (var index = KeywordIndex.Open(Path.Combine(dir, "lucene")))
        {
            string[] topics = ["graph neural networks", "protein folding", "quantum error correction", "reinforcement learning"];
            long seq = 0;
            for (int batch = 0; batch < 4; batch++) // one commit per batch: several segments
            {
                var papers = Enumerable.Range(0, 50).Select(i =>
                {
                    var id = batch * 50 + i + 1;
                    var topic = topics[id % topics.Length];
                    return new IndexedPaper(id, $"On {topic}, part {id}", $"We study {topic} with method {id % 7}.", "A. Author", "cs.LG", new DateOnly(2024, 1, 1 + id % 28), ++seq);
                }).ToList();
                await index.ApplyAsync(papers, seq);
            }
            Assert.True(index.SegmentCount > 1);
            var query = KeywordQuery.Parse("protein folding method", index.Analyzer, index.Ranking)!;
            var before = index.Search(query, 500); // all matches: ties may be ordered differently after a merge

            await index.MergeAsync();

            Assert.Equal(1, index.SegmentCount);
            var after = index.Search(query, 500);
            Assert.Equal(before.Total, after.Total);
            var scores = after.Hits.ToDictionary(h => h.PaperId, h => h.Score);
            Assert.Equal(before.Hits.Count, scores.Count);
            Assert.All(before.Hits, h => Assert.Equal(h.Score, scores[h.PaperId], 4));
            Assert.Equal(200, index.DocumentCount);
        }
        Directory.Delete(dir, true);
    }
}
