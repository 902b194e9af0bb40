using DailyPapers.Search;

namespace DailyPapers.Bench;

/// <summary>Prints the product's word pieces (256 at most) for every document of a BEIR corpus, one line each, to compare with another tokenizer.</summary>
internal static class TokenizeDump
{
    public static int Run(string[] args)
    {
        var dir = args.Length > 0 ? args[0] : Path.Combine(SharedDataFolder.Location, "relevance", "scifact-train");
        using var embedder = new Embedder();
        foreach (var d in BeirCollection.Load(dir).Docs)
            Console.WriteLine(d.Id + "\t" + string.Join(' ', embedder.Pieces(embedder.Tokenize(Embedder.PaperText(d.Title, d.Text)))));
        return 0;
    }
}
