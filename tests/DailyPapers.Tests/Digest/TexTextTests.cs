using DailyPapers.Digest;

namespace DailyPapers.Tests.Digest;

public sealed class TexTextTests
{
    [Theory]
    [InlineData(@"$\alpha$-divergences", "α-divergences")]
    [InlineData(@"Bounds for $\mathbb{R}^2$ and $x_{1}$", "Bounds for R² and x₁")]
    [InlineData(@"\'etale cohomology of Erd\H{o}s and G\""odel", "étale cohomology of Erdős and Gödel")]
    [InlineData(@"$O(n \log n)$ time with $\epsilon \leq 10^{-3}$", "O(n log n) time with ε ≤ 10⁻³")]
    [InlineData(@"$\frac{1}{2}$ of the $\cdot$ product", "(1)/(2) of the · product")]
    [InlineData("line\r\nbreaks   and  spaces", "line breaks and spaces")]
    [InlineData(@"50\% of \textbf{bold} text", "50% of bold text")]
    public void TexBecomesReadablePlainText(string tex, string plain) => Assert.Equal(plain, TexText.ToPlain(tex));
}
