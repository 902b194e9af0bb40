using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using DailyPapers.Papers;

namespace DailyPapers.Tests.Papers;

public sealed partial class TexTextTests
{
    // Titles, abstract fragments and author lists exactly as they are in ../shared/data/arxiv/arxiv-snapshot-1989-2019.jsonl.gz
    // (arXiv id in the comment), with the text a reader should see written out by hand.
    [Theory]
    [InlineData(@"Caracteriza\c{c}\~ao de tempos de ida-e-volta na Internet", "Caracterização de tempos de ida-e-volta na Internet")] // 1202.2153
    [InlineData(@"Mod\'elisation des facteurs influen\c{c}ant la performance de la cha\^ine logistique",
        "Modélisation des facteurs influençant la performance de la chaîne logistique")] // 0905.4592
    [InlineData(@"Transfer matrix solution of the Wako-Sait\^o-Mu\~noz-Eaton model augmented by arbitrary short range interactions",
        "Transfer matrix solution of the Wako-Saitô-Muñoz-Eaton model augmented by arbitrary short range interactions")] // 1004.0965
    [InlineData(@"L\'{e}vy scaling: the Diffusion Entropy Analysis applied to DNA sequences",
        "Lévy scaling: the Diffusion Entropy Analysis applied to DNA sequences")] // cond-mat/0205525
    [InlineData(@"On reversible cascades in scale-free and Erd\H{o}s-R\'enyi random graphs",
        "On reversible cascades in scale-free and Erdős-Rényi random graphs")] // 1011.0653
    [InlineData(@"Two questions of Erd\H{o}s on hypergraphs above the Tur{\'a}n threshold}",
        "Two questions of Erdős on hypergraphs above the Turán threshold")] // 1111.5743, a stray closing brace
    [InlineData(@"Exploitation de dictionnaires \'{e}lectroniques pour la d\'{e}sambigu\""{i}sation s\'{e}mantique lexicale",
        "Exploitation de dictionnaires électroniques pour la désambiguïsation sémantique lexicale")] // cs/0506049
    [InlineData(@"Fourier meets M\""{o}bius: fast subset convolution", "Fourier meets Möbius: fast subset convolution")] // cs/0611101
    [InlineData(@"Ich wei{\ss}, was du n\""achsten Sommer getan haben wirst: Predictive Policing in \""Osterreich",
        "Ich weiß, was du nächsten Sommer getan haben wirst: Predictive Policing in Österreich")] // 1907.00934
    [InlineData(@"Link prediction in complex networks: a local na\""{\i}ve Bayes model",
        "Link prediction in complex networks: a local naïve Bayes model")] // 1105.4005
    [InlineData(@"Enerji \.Izleme Yaz{\i}l{\i}mlar{\i} i\c{c}in Merkezi ve Genel bir Mimari (A Centralized and Generic Architecture for Energy Monitoring Software)",
        "Enerji İzleme Yazılımları için Merkezi ve Genel bir Mimari (A Centralized and Generic Architecture for Energy Monitoring Software)")] // 1611.00739
    [InlineData(@"Ar{\i}kan meets Shannon: Polar codes with near-optimal convergence to channel capacity",
        "Arıkan meets Shannon: Polar codes with near-optimal convergence to channel capacity")] // 1911.03858
    [InlineData(@"Fast K\""otter-Nielsen-H{\o}holdt Interpolation in the Guruswami-Sudan Algorithm",
        "Fast Kötter-Nielsen-Høholdt Interpolation in the Guruswami-Sudan Algorithm")] // 1406.0053
    [InlineData(@"The \v{C}ern\'{y} conjecture for small automata: experimental report",
        "The Černý conjecture for small automata: experimental report")] // 1301.2092
    [InlineData(@"Inverse problems for symmetric doubly stochastic matrices whose Sule\u{i}manova spectra are bounded below by 1/2",
        "Inverse problems for symmetric doubly stochastic matrices whose Suleĭmanova spectra are bounded below by 1/2")] // 1909.01291
    [InlineData(@"M\=im\=a\d{m}s\=a deontic logic: proof theory and applications", "Mīmāṃsā deontic logic: proof theory and applications")] // 1705.03211
    [InlineData(@"Avalanches, branching ratios, and clustering of attractors in Random Boolean Networks and in the segment polarity network of \emph{Drosophila}",
        "Avalanches, branching ratios, and clustering of attractors in Random Boolean Networks and in the segment polarity network of Drosophila")] // 0805.0326
    [InlineData(@"\texttt{code::proof}: Prepare for \emph{most} weather conditions", "code::proof: Prepare for most weather conditions")] // 1910.06964
    [InlineData(@"{\em Crypto-Battleships} or How to play Battleships game over the Blockchain?",
        "Crypto-Battleships or How to play Battleships game over the Blockchain?")] // 1807.08142
    [InlineData(@"Molecular force spectroscopy of kinetochore-microtubule attachment {\it in silico}: Mechanical signatures of an unusual catch bond and collective effects",
        "Molecular force spectroscopy of kinetochore-microtubule attachment in silico: Mechanical signatures of an unusual catch bond and collective effects")] // 1605.08944
    [InlineData(@"Comment on ""Steady-state fluctuations of a genetic feedback loop: an exact solution"" [J. Chem. Phys. {\bf 137}, 035104 (2012).]",
        "Comment on \"Steady-state fluctuations of a genetic feedback loop: an exact solution\" [J. Chem. Phys. 137, 035104 (2012).]")] // 1302.5128
    [InlineData(@"Trading off Completeness for Efficiency --- The \textsc{ParseTalk} Performance Grammar Approach to Real-World Text Parsing",
        "Trading off Completeness for Efficiency — The ParseTalk Performance Grammar Approach to Real-World Text Parsing")] // cmp-lg/9605026
    [InlineData(@"DISCO---An HPSG-based NLP System and its Application for Appointment Scheduling (Project Note)",
        "DISCO—An HPSG-based NLP System and its Application for Appointment Scheduling (Project Note)")] // cmp-lg/9406035
    [InlineData(@"Tagging accurately -- Don't guess if you know", "Tagging accurately – Don't guess if you know")] // cmp-lg/9408009
    [InlineData(@"Causal cascade in the stock market from the ``infrared'' to the ``ultraviolet''",
        "Causal cascade in the stock market from the “infrared” to the “ultraviolet”")] // cond-mat/9708012
    [InlineData(@"\$1 Today or \$2 Tomorrow? The Answer is in Your Facebook Likes", "$1 Today or $2 Tomorrow? The Answer is in Your Facebook Likes")] // 1703.07726
    [InlineData(@"Newcomers vs. incumbents: How firms select their partners for R\&D collaborations",
        "Newcomers vs. incumbents: How firms select their partners for R&D collaborations")] // 1403.3298
    [InlineData(@"99\% Revenue via Enhanced Competition", "99% Revenue via Enhanced Competition")] // 1801.02908
    [InlineData(@"A remark on the ARE between Wilcoxon's and van~der~Waerden's scores",
        "A remark on the ARE between Wilcoxon's and van\u00A0der\u00A0Waerden's scores")] // 1111.4517
    [InlineData(@"Apprentissage de la pens\'ee informatique : de la formation des enseignant$\cdot$e$\cdot$s \`a la formation de tou$\cdot$te$\cdot$s les citoyen$\cdot$ne$\cdot$s",
        @"Apprentissage de la pensée informatique : de la formation des enseignant$\cdot$e$\cdot$s à la formation de tou$\cdot$te$\cdot$s les citoyen$\cdot$ne$\cdot$s")] // 1906.00647
    [InlineData(@"Transferable coarse-grained potential for $\textit{de novo}$ protein folding and design",
        @"Transferable coarse-grained potential for $\textit{de novo}$ protein folding and design")] // 1406.4373
    [InlineData(@"Crystal monoids \& crystal bases: rewriting systems and biautomatic structures for plactic monoids of types $A_{n}$, $B_{n}$, $C_{n}$, $D_{n}$, and $G_2$",
        @"Crystal monoids & crystal bases: rewriting systems and biautomatic structures for plactic monoids of types $A_{n}$, $B_{n}$, $C_{n}$, $D_{n}$, and $G_2$")] // 1412.7040
    [InlineData(@"Perfect Matchings in \~O(n^{1.5}) Time in Regular Bipartite Graphs", "Perfect Matchings in Õ(n^{1.5}) Time in Regular Bipartite Graphs")] // 0902.1617
    [InlineData(@"A HelloWord \textsc{Bib}\negthinspace\TeX~stile file .\textbf{bst}", "A HelloWord BibTeX\u00A0stile file .bst")] // 1709.03643
    [InlineData(@"On Moore-Yamasaki-Kharazishvili type measures and the infinite powers of Borel diffused probability measures on ${\bf R}",
        "On Moore-Yamasaki-Kharazishvili type measures and the infinite powers of Borel diffused probability measures on $R")] // 1506.02935, an unclosed $
    [InlineData(@"F. Dom\'\i nguez-Adame {\em et al.}, Phys. Rev. E {\bf 52}, 2183 (1995)], we anal",
        "F. Domínguez-Adame et al., Phys. Rev. E 52, 2183 (1995)], we anal")] // q-bio/0403003
    [InlineData(@"Ferrari, Maass, Mart{\'\i}nez and Ney. As applications,", "Ferrari, Maass, Martínez and Ney. As applications,")] // math/0009204
    [InlineData(@"the na\""{{\i}}ve predictor which directly", "the naïve predictor which directly")] // 0803.3697
    [InlineData(@"F\aa hr\ae us effects (decrease in average c", "Fåhræus effects (decrease in average c")] // 1405.1281
    [InlineData(@"Drinfeld-Vl\u{a}du\c{t} bound on the ratio", "Drinfeld-Vlăduţ bound on the ratio")] // cs/0609161
    [InlineData(@"P\v{a}tra\c{s}cu and Demaine [SICOMP'06]. We p", "Pǎtraşcu and Demaine [SICOMP'06]. We p")] // 1105.5933
    [InlineData(@"(\textbf{\textit{QoS}}), web host", "(QoS), web host")] // 0708.3166
    [InlineData(@"\emph{c\`{a}dl\`{a}g} sample paths) t", "càdlàg sample paths) t")] // 1306.6198
    [InlineData(@"\emph{upper Snell envelope $\ol{Z}$} of the reward proce", @"upper Snell envelope $\ol{Z}$ of the reward proce")] // 1301.0091
    [InlineData(@"Bacry \textit{et al.} [\textit{E.Bacry, J.Delour and J.Muzy, Phys.Rev.E \,{\bf 64} 026103, 2001}]. While dynamical wGHE com",
        "Bacry et al. [E.Bacry, J.Delour and J.Muzy, Phys.Rev.E 64 026103, 2001]. While dynamical wGHE com")] // 1212.3195
    [InlineData(@"problem of Bra\ss\ regarding the maximum perimeter of", "problem of Braß regarding the maximum perimeter of")] // 0912.3929
    [InlineData(@"$\~{O}(n^{(1-\beta)/2})$ randomized", @"$\~{O}(n^{(1-\beta)/2})$ randomized")] // 0810.1756, an accent inside math stays
    [InlineData(@"McCarthy's ``91 function'' and to Takeuchi's tripl", "McCarthy's “91 function” and to Takeuchi's tripl")] // cs/9301113
    [InlineData(@"two implementations---one for each technique---are described and then compared",
        "two implementations—one for each technique—are described and then compared")] // cmp-lg/9410022
    [InlineData(@"De la Pe\~{n}a. The keystone", "De la Peña. The keystone")] // 0707.3715
    [InlineData(@"values of \~ 1.6-1.7 that characteris", "values of ~1.6-1.7 that characteris")] // cond-mat/0407770, an accent with no letter
    [InlineData(@"(Ann. Appl. Probab. \textbf{15}, 1260--1305 (2005) and Fin. Stoch. {\bf9}, 429--452 (2005)). A solution of the optimal bo",
        "(Ann. Appl. Probab. 15, 1260–1305 (2005) and Fin. Stoch. 9, 429–452 (2005)). A solution of the optimal bo")] // math/0510333
    [InlineData(@"znany pod nazw{\ka} C++11. W artykule przedstawiono nowe mo\.zliwo\'s",
        @"znany pod nazw\ka C++11. W artykule przedstawiono nowe możliwoś")] // 1304.7600, an unknown command kept
    [InlineData(@"Camilo Rodrigues Neto, Andr\' e C. R. Martins", "Camilo Rodrigues Neto, André C. R. Martins")] // authors of 0710.5497
    [InlineData(@"Véronique Benzaken, Giuseppe Castagna, Kim Nguy\~ên, Jérôme Siméon",
        "Véronique Benzaken, Giuseppe Castagna, Kim Nguy\u00EA\u0303n, Jérôme Siméon")] // authors of 1303.1716: no precomposed ễ, so a combining tilde
    public void RealTitlesAbstractsAndAuthorsReadAsUnicodeText(string tex, string text) => Assert.Equal(text, TexText.ToText(tex));

    [Theory]
    [InlineData(@"Avalanches, branching ratios, and clustering of attractors in Random Boolean Networks and in the segment polarity network of \emph{Drosophila}",
        "Avalanches, branching ratios, and clustering of attractors in Random Boolean Networks and in the segment polarity network of <em>Drosophila</em>")] // 0805.0326
    [InlineData(@"Computational modeling of differences in the quorum sensing induced luminescence phenotypes of \textit{Vibrio harveyi} and \textit{Vibrio cholerae}",
        "Computational modeling of differences in the quorum sensing induced luminescence phenotypes of <em>Vibrio harveyi</em> and <em>Vibrio cholerae</em>")] // 1101.5216
    [InlineData(@"\texttt{code::proof}: Prepare for \emph{most} weather conditions", "code::proof: Prepare for <em>most</em> weather conditions")] // 1910.06964
    [InlineData(@"{\em Crypto-Battleships} or How to play Battleships game over the Blockchain?",
        "<em>Crypto-Battleships</em> or How to play Battleships game over the Blockchain?")] // 1807.08142
    [InlineData(@"Comment on ""Steady-state fluctuations of a genetic feedback loop: an exact solution"" [J. Chem. Phys. {\bf 137}, 035104 (2012).]",
        "Comment on &quot;Steady-state fluctuations of a genetic feedback loop: an exact solution&quot; [J. Chem. Phys. <strong>137</strong>, 035104 (2012).]")] // 1302.5128
    [InlineData(@"F. Dom\'\i nguez-Adame {\em et al.}, Phys. Rev. E {\bf 52}, 2183 (1995)], we anal",
        "F. Domínguez-Adame <em>et al.</em>, Phys. Rev. E <strong>52</strong>, 2183 (1995)], we anal")] // q-bio/0403003
    [InlineData(@"(\textbf{\textit{QoS}}), web host", "(<strong><em>QoS</em></strong>), web host")] // 0708.3166
    [InlineData(@"Bacry \textit{et al.} [\textit{E.Bacry, J.Delour and J.Muzy, Phys.Rev.E \,{\bf 64} 026103, 2001}]. While dynamical wGHE com",
        "Bacry <em>et al.</em> [<em>E.Bacry, J.Delour and J.Muzy, Phys.Rev.E <strong>64</strong> 026103, 2001</em>]. While dynamical wGHE com")] // 1212.3195
    [InlineData(@"\emph{upper Snell envelope $\ol{Z}$} of the reward proce", @"<em>upper Snell envelope $\ol{Z}$</em> of the reward proce")] // 1301.0091
    [InlineData(@"Tagging accurately -- Don't guess if you know", "Tagging accurately – Don&#39;t guess if you know")] // cmp-lg/9408009
    [InlineData(@"Crystal monoids \& crystal bases: rewriting systems and biautomatic structures for plactic monoids of types $A_{n}$, $B_{n}$, $C_{n}$, $D_{n}$, and $G_2$",
        @"Crystal monoids &amp; crystal bases: rewriting systems and biautomatic structures for plactic monoids of types $A_{n}$, $B_{n}$, $C_{n}$, $D_{n}$, and $G_2$")] // 1412.7040
    [InlineData(@"On Moore-Yamasaki-Kharazishvili type measures and the infinite powers of Borel diffused probability measures on ${\bf R}",
        "On Moore-Yamasaki-Kharazishvili type measures and the infinite powers of Borel diffused probability measures on $<strong>R</strong>")] // 1506.02935
    public void RealTitlesAndAbstractsKeepTheirEmphasisInHtml(string tex, string html) => Assert.Equal(html, TexText.ToHtml(tex));

    [Fact]
    public void ThePortugueseTitleFromTheIssueReads()
    {
        const string tex = @"Computa\c{c}\~ao Urbana da Teoria \`a Pr\'atica";
        Assert.Equal("Computação Urbana da Teoria à Prática", TexText.ToText(tex));
        Assert.Equal("Computação Urbana da Teoria à Prática", TexText.ToHtml(tex));
        Assert.Equal("Computação Urbana da Teoria à Prática", TexText.ToPlain(tex));
    }

    [Theory]
    [InlineData(@"\emph{\textbf{x}}", "x", "<em><strong>x</strong></em>")]
    [InlineData(@"\emph{\textbf{a {b} c}}", "a b c", "<em><strong>a b c</strong></em>")]
    [InlineData(@"{\em a \bf b} c {\it d}", "a b c d", "<em>a <strong>b</strong></em> c <em>d</em>")]
    [InlineData(@"a \emph{ b } c", "a b c", "a <em>b</em> c")] // the spaces land outside the tags
    [InlineData(@"\emph{}x\textbf{ }", "x", "x")]              // empty emphasis writes no tags
    [InlineData(@"\textsc{Bib}\TeX{} and {GPU}s", "BibTeX and GPUs", "BibTeX and GPUs")]
    [InlineData(@"\text{plain} \textsl{slanted} {\bfseries bold}", "plain slanted bold", "plain <em>slanted</em> <strong>bold</strong>")]
    public void EmphasisUnwrapsInTextAndNestsInHtml(string tex, string text, string html)
    {
        Assert.Equal(text, TexText.ToText(tex));
        Assert.Equal(html, TexText.ToHtml(tex));
    }

    [Theory]
    [InlineData(@"$\alpha$-stable distributions", @"$\alpha$-stable distributions")]
    [InlineData(@"$$\sum_{i} x_i$$ and \[ y^{2} \] and \( \c{c} \) and $\^e\emph{x}--y$", @"$$\sum_{i} x_i$$ and \[ y^{2} \] and \( \c{c} \) and $\^e\emph{x}--y$")]
    [InlineData(@"$a \$ b$ and ${x $ y}$", @"$a \$ b$ and ${x $ y}$")] // as KaTeX reads them: \$ and a $ inside braces do not close
    [InlineData("$x\n  +\ty$", "$x + y$")]                              // whitespace collapses, nothing else changes
    public void MathIsCopiedThroughAsWritten(string tex, string text)
    {
        Assert.Equal(text, TexText.ToText(tex));
        Assert.Equal(text, TexText.ToHtml(tex));
    }

    [Fact]
    public void MathIsHtmlEncodedButOtherwiseKept() =>
        Assert.Equal(@"$a&lt;b&amp;c&gt;d$ and \(&quot;x&quot;\)", TexText.ToHtml(@"$a<b&c>d$ and \(""x""\)"));

    [Theory]
    [InlineData(@"costs \$5 and $x$", "costs $5 and $x$", @"costs <span class=""tex-literal"">$</span>5 and $x$")]
    [InlineData(@"costs \$5 and \(x\)", "costs $5 and \\(x\\)", @"costs <span class=""tex-literal"">$</span>5 and \(x\)")]
    [InlineData(@"costs \$5", "costs $5", "costs $5")]                                      // no math after it: nothing to isolate
    [InlineData(@"a ${ b $c$", "a $ b $c$", @"a <span class=""tex-literal"">$</span> b $c$")] // the first $ never closes outside braces
    [InlineData(@"a \$ b $$ c", "a $ b $$ c", @"a <span class=""tex-literal"">$</span> b $$ c")]
    public void DollarsThatOpenNoMathStayTextAndCannotStartMathInHtml(string tex, string text, string html)
    {
        Assert.Equal(text, TexText.ToText(tex));
        Assert.Equal(html, TexText.ToHtml(tex));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData(@"\emph{<img src=x onerror=alert(1)>}", "<em>&lt;img src=x onerror=alert(1)&gt;</em>")]
    [InlineData(@"\textbf{""><b onmouseover='x'>}", "<strong>&quot;&gt;&lt;b onmouseover=&#39;x&#39;&gt;</strong>")]
    [InlineData(@"$</em><script>$ \(<b>\)", "$&lt;/em&gt;&lt;script&gt;$ \\(&lt;b&gt;\\)")]
    [InlineData(@"\foo{<i>} \url{javascript:<x>}", @"\foo{&lt;i&gt;} javascript:&lt;x&gt;")]
    [InlineData("&amp; &lt;", "&amp;amp; &amp;lt;")]
    public void HostileMarkupComesOutEncoded(string tex, string html) => Assert.Equal(html, TexText.ToHtml(tex));

    [Theory]
    [InlineData(@"\emph{abc", "abc", "<em>abc</em>")]
    [InlineData(@"\textbf{a \emph{b", "a b", "<strong>a <em>b</em></strong>")]
    [InlineData(@"{\em x", "x", "<em>x</em>")]
    [InlineData(@"\em x} y", "x y", "<em>x y</em>")]      // a switch outside any group runs to the end
    [InlineData("a}b}}c", "abc", "abc")]                  // stray closing braces are markup, not text
    [InlineData("{{{x", "x", "x")]
    [InlineData(@"\cite{abc", @"\cite{abc", @"\cite{abc")] // a kept argument keeps what was written, no brace invented
    [InlineData(@"\'{e", @"\'{e", @"\&#39;{e")]
    [InlineData(@"x\", @"x\", @"x\")]
    [InlineData(@"\'", "´", "´")]
    public void UnbalancedInputKeepsItsTextAndBalancedTags(string tex, string text, string html)
    {
        Assert.Equal(text, TexText.ToText(tex));
        Assert.Equal(html, TexText.ToHtml(tex));
    }

    [Theory]
    [InlineData(@"see \cite{LPP15} and \footnote{Erd\H{o}s}", @"see \cite{LPP15} and \footnote{Erdős}")]
    [InlineData(@"\frac{a}{b} \textcolor{red}{x} \citep*{k}", @"\frac{a}{b} \textcolor{red}{x} \citep*{k}")]
    [InlineData(@"x^{2} and t_{n} and a map \c{hi} and \H(x)", @"x^{2} and t_{n} and a map \c{hi} and \H(x)")]
    [InlineData(@"\alpha-helical, C^\infty, \Delta\Sigma modulators", "α-helical, C^∞, ΔΣ modulators")] // symbols typed outside $…$
    public void UnknownCommandsAreKeptAsWritten(string tex, string text) => Assert.Equal(text, TexText.ToText(tex));

    [Theory]
    [InlineData(@"{\ss} {\o} {\O} {\ae} {\AE} {\oe} {\OE} {\l} {\L} {\aa} {\AA} {\i}", "ß ø Ø æ Æ œ Œ ł Ł å Å ı")]
    [InlineData(@"Gro\ss e and F\aa hr\ae us", "Große and Fåhræus")] // like TeX, a letter command takes the space after it
    [InlineData(@"\`a \^o \v{s} \u{a} \H{o} \k{a} \r{a} \=a \.z \c{c} \~n \""u \'{\i} \^{\j}", "à ô š ă ő ą å ā ż ç ñ ü í ĵ")]
    [InlineData(@"\& \% \_ \# \$ \{ \}", "& % _ # $ { }")]
    [InlineData(@"a--b, a---b, a----b, ``q'', a~b", "a–b, a—b, a—-b, “q”, a\u00A0b")]
    [InlineData(@"\'x \v{q}", "x\u0301 q\u030C")] // no precomposed letter: a combining accent, nothing dropped
    public void TextModeCommandsBecomeUnicode(string tex, string text) => Assert.Equal(text, TexText.ToText(tex));

    [Theory]
    [InlineData(@"see http://www.cs.u.edu/~user/a--b. Then a~b", "see http://www.cs.u.edu/~user/a--b. Then a\u00A0b")]
    [InlineData(@"code at \url{https://github.com/x/y\_z~w}.", "code at https://github.com/x/y_z~w.")]
    public void UrlsKeepTheirTildesAndDashes(string tex, string text) => Assert.Equal(text, TexText.ToText(tex));

    [Fact]
    public void WhitespaceCollapsesAndTrims() => Assert.Equal("a b c", TexText.ToText(" \r\n a \t\n  b\u2003 c \n"));

    [Fact]
    public void TextWithNothingToConvertComesBackAsTheSameString()
    {
        const string title = "Attention Is All You Need";
        Assert.Same(title, TexText.ToText(title));
        Assert.Same(title, TexText.ToHtml(title));
        Assert.Same(title, TexText.ToPlain(title));
    }

    [Fact]
    public void NullAndEmptyBecomeEmpty()
    {
        Assert.Equal("", TexText.ToText(null));
        Assert.Equal("", TexText.ToHtml(null));
        Assert.Equal("", TexText.ToPlain(""));
    }

    // Runaway input must finish and keep its text; the scan is linear, so these take microseconds (no timing asserted).
    [Fact]
    public void PathologicalInputTerminatesAndKeepsItsText()
    {
        Assert.Equal("x", TexText.ToText(new string('{', 5_000) + "x"));
        Assert.Equal("x", TexText.ToText("x" + new string('}', 10_000)));
        Assert.Equal(Repeat(@"\'", 4_999) + "´", TexText.ToText(Repeat(@"\'", 5_000))); // an accent on a command stays as written
        Assert.Equal(Repeat("é", 5_000), TexText.ToText(Repeat(@"\'{e}", 2_000) + Repeat(@"\'e", 3_000)));
        Assert.Equal(Repeat("<em>", 2_500) + "x" + Repeat("</em>", 2_500), TexText.ToHtml(Repeat(@"\emph{", 2_500) + "x"));
        Assert.Equal(Repeat("—", 3_333) + "-", TexText.ToText(new string('-', 10_000)));
        Assert.Equal(new string('$', 10_000), TexText.ToText(new string('$', 10_000))); // 2,500 $$…$$ spans
        var unclosed = Repeat("${", 5_000); // every $ opens math that never closes: a bounded search, not 5,000 full ones
        Assert.Equal(new string('$', 5_000), TexText.ToText(unclosed));
        Assert.Equal(new string('$', 5_000), StripTags(TexText.ToHtml(unclosed)));
        var accents = Repeat(@"\'{{{", 3_000);
        Assert.Equal(Repeat(@"\'{", 3_000), TexText.ToText(accents));
    }

    // Random soup of the characters the scanner treats specially: the HTML is always balanced, only ever holds the
    // three kinds of tags, and says exactly what ToText says.
    [Fact]
    public void HtmlIsBalancedAndReadsAsTheTextForAnyInput()
    {
        string[] pieces = [@"\emph{", @"\textbf{", "{", "}", @"{\em ", @"{\bf ", "$", "$$", @"\(", @"\)", @"\[", @"\]", @"\$", @"\'",
            @"\""", @"\c{", @"\i", "~", "--", "``", "''", "<", ">", "&", "\"", "'", " ", "\n", "a", "e", "x", @"\foo", @"\cite{",
            "http://a.b/~c", @"\url{", "^{", "_", @"\\", @"\", "é"];
        var random = new Random(15);
        for (int n = 0; n < 3_000; n++)
        {
            var sb = new StringBuilder();
            for (int k = random.Next(1, 40); k > 0; k--) sb.Append(pieces[random.Next(pieces.Length)]);
            var tex = sb.ToString();
            var html = TexText.ToHtml(tex);
            var open = new Stack<string>();
            foreach (Match m in Tag().Matches(html))
            {
                var name = m.Groups["name"].Value;
                if (m.Groups["close"].Success) Assert.True(open.Count > 0 && open.Pop() == name, $"{tex} → {html}");
                else open.Push(name);
            }
            Assert.True(open.Count == 0, $"{tex} → {html}");
            Assert.DoesNotContain('<', Tag().Replace(html, ""));
            Assert.Equal(TexText.ToText(tex), StripTags(html));
        }
    }

    // Mail, where no KaTeX runs: math becomes Unicode as well.
    [Theory]
    [InlineData(@"$\alpha$-divergences", "α-divergences")]
    [InlineData(@"Bounds for $\mathbb{R}^2$ and $x_{1}$", "Bounds for R² and x₁")]
    [InlineData(@"\'etale cohomology of Erd\H{o}s and G\""odel", "étale cohomology of Erdős and Gödel")]
    [InlineData(@"$O(n \log n)$ time with $\epsilon \leq 10^{-3}$", "O(n log n) time with ε ≤ 10⁻³")]
    [InlineData(@"$\frac{1}{2}$ of the $\cdot$ product", "(1)/(2) of the · product")]
    [InlineData("line\r\nbreaks   and  spaces", "line breaks and spaces")]
    [InlineData(@"50\% of \textbf{bold} text", "50% of bold text")]
    [InlineData(@"\$1 Today or \$2 Tomorrow?", "$1 Today or $2 Tomorrow?")]
    [InlineData(@"F. Dom\'\i nguez-Adame {\em et al.} on $\~{O}(n)$ and \alpha-helices", "F. Domínguez-Adame et al. on Õ(n) and α-helices")]
    public void TexBecomesReadablePlainText(string tex, string plain) => Assert.Equal(plain, TexText.ToPlain(tex));

    private static string Repeat(string s, int count) => new StringBuilder(s.Length * count).Insert(0, s, count).ToString();

    private static string StripTags(string html) => WebUtility.HtmlDecode(Tag().Replace(html, ""));

    [GeneratedRegex(@"<(?<close>/)?(?<name>em|strong|span)(?: class=""tex-literal"")?>")]
    private static partial Regex Tag();
}
