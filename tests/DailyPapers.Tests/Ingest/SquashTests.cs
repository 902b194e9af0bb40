using DailyPapers.Ingest;

namespace DailyPapers.Tests.Ingest;

public sealed class SquashTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("a", "a")]
    [InlineData("  Deep\n  learning\t\tfor\r\nall  ", "Deep learning for all")]
    [InlineData("no\u00a0break\u3000ideographic\u2029para", "no break ideographic para")]
    [InlineData("already squashed text", "already squashed text")]
    public void CollapsesEveryKindOfWhitespaceRun(string input, string expected) => Assert.Equal(expected, Text.Squash(input));

    [Fact]
    public void AgreesWithCharIsWhiteSpaceOnRandomText()
    {
        var rng = new Random(7);
        const string alphabet = "ab \t\n\r\u00a0\u2003x\u0085é";
        for (var i = 0; i < 2000; i++)
        {
            var s = new string(Enumerable.Range(0, rng.Next(0, 5000)).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
            Assert.Equal(Reference(s), Text.Squash(s));
            Assert.Equal(Reference(s), Text.SquashToString(s.ToCharArray()));
        }
    }

    private static string Reference(string s) =>
        string.Join(' ', s.Split(s.Where(char.IsWhiteSpace).Distinct().ToArray(), StringSplitOptions.RemoveEmptyEntries));
}
