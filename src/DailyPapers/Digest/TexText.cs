using System.Text;
using System.Text.RegularExpressions;

namespace DailyPapers.Digest;

/// <summary>Turns the TeX in arXiv titles and abstracts into readable plain text for mail, where no KaTeX runs.</summary>
public static partial class TexText
{
    private static readonly Dictionary<string, string> Symbols = new(StringComparer.Ordinal)
    {
        ["alpha"] = "α", ["beta"] = "β", ["gamma"] = "γ", ["delta"] = "δ", ["epsilon"] = "ε", ["varepsilon"] = "ε",
        ["zeta"] = "ζ", ["eta"] = "η", ["theta"] = "θ", ["vartheta"] = "ϑ", ["iota"] = "ι", ["kappa"] = "κ",
        ["lambda"] = "λ", ["mu"] = "μ", ["nu"] = "ν", ["xi"] = "ξ", ["pi"] = "π", ["rho"] = "ρ", ["sigma"] = "σ",
        ["tau"] = "τ", ["upsilon"] = "υ", ["phi"] = "φ", ["varphi"] = "φ", ["chi"] = "χ", ["psi"] = "ψ", ["omega"] = "ω",
        ["Gamma"] = "Γ", ["Delta"] = "Δ", ["Theta"] = "Θ", ["Lambda"] = "Λ", ["Xi"] = "Ξ", ["Pi"] = "Π",
        ["Sigma"] = "Σ", ["Phi"] = "Φ", ["Psi"] = "Ψ", ["Omega"] = "Ω",
        ["infty"] = "∞", ["le"] = "≤", ["leq"] = "≤", ["ge"] = "≥", ["geq"] = "≥", ["neq"] = "≠", ["ne"] = "≠",
        ["approx"] = "≈", ["sim"] = "∼", ["simeq"] = "≃", ["equiv"] = "≡", ["propto"] = "∝", ["times"] = "×",
        ["cdot"] = "·", ["pm"] = "±", ["mp"] = "∓", ["to"] = "→", ["rightarrow"] = "→", ["leftarrow"] = "←",
        ["Rightarrow"] = "⇒", ["Leftrightarrow"] = "⇔", ["mapsto"] = "↦", ["in"] = "∈", ["notin"] = "∉",
        ["subset"] = "⊂", ["subseteq"] = "⊆", ["cup"] = "∪", ["cap"] = "∩", ["emptyset"] = "∅", ["forall"] = "∀",
        ["exists"] = "∃", ["partial"] = "∂", ["nabla"] = "∇", ["sum"] = "∑", ["prod"] = "∏", ["int"] = "∫",
        ["sqrt"] = "√", ["ell"] = "ℓ", ["hbar"] = "ħ", ["ldots"] = "…", ["cdots"] = "⋯", ["dots"] = "…",
        ["log"] = "log", ["exp"] = "exp", ["sin"] = "sin", ["cos"] = "cos", ["max"] = "max", ["min"] = "min",
        ["lim"] = "lim", ["deg"] = "deg", ["det"] = "det", ["mathbb"] = "", ["mathcal"] = "", ["mathrm"] = "",
        ["mathbf"] = "", ["textbf"] = "", ["textit"] = "", ["emph"] = "", ["text"] = "", ["mathit"] = "",
        ["operatorname"] = "", ["left"] = "", ["right"] = "", ["big"] = "", ["Big"] = "", ["quad"] = " ", ["qquad"] = " ",
        ["langle"] = "⟨", ["rangle"] = "⟩", ["star"] = "⋆", ["circ"] = "∘", ["ast"] = "∗", ["prime"] = "′",
        ["%"] = "%", ["&"] = "&", ["_"] = "_", ["#"] = "#", ["$"] = "$", ["{"] = "{", ["}"] = "}", [","] = " ", [";"] = " ", ["!"] = "",
    };

    // Accented letters by TeX accent command; composed from a table because string.Normalize needs ICU,
    // which this app runs without (InvariantGlobalization). Letters not listed keep their base form.
    private static readonly Dictionary<(char Accent, char Letter), char> Accented = BuildAccents(
        ('\'', "aeiouyAEIOUYcnszCNSZ", "áéíóúýÁÉÍÓÚÝćńśźĆŃŚŹ"), ('`', "aeiouAEIOU", "àèìòùÀÈÌÒÙ"),
        ('^', "aeiouAEIOU", "âêîôûÂÊÎÔÛ"), ('"', "aeiouyAEIOU", "äëïöüÿÄËÏÖÜ"), ('~', "anoANO", "ãñõÃÑÕ"),
        ('=', "aeiouAEIOU", "āēīōūĀĒĪŌŪ"), ('.', "zeZEI", "żėŻĖİ"), ('c', "csCS", "çşÇŞ"),
        ('v', "scznrezSCZNRE", "ščžňřěžŠČŽŇŘĚ"), ('u', "agAG", "ăğĂĞ"), ('H', "ouOU", "őűŐŰ"));

    private static Dictionary<(char, char), char> BuildAccents(params (char Accent, string Letters, string Composed)[] rows)
    {
        var map = new Dictionary<(char, char), char>();
        foreach (var (accent, letters, composed) in rows)
            for (int i = 0; i < letters.Length; i++) map[(accent, letters[i])] = composed[i];
        return map;
    }

    private static readonly Dictionary<char, char> Superscripts = new()
    {
        ['0'] = '⁰', ['1'] = '¹', ['2'] = '²', ['3'] = '³', ['4'] = '⁴', ['5'] = '⁵', ['6'] = '⁶', ['7'] = '⁷',
        ['8'] = '⁸', ['9'] = '⁹', ['+'] = '⁺', ['-'] = '⁻', ['n'] = 'ⁿ', ['i'] = 'ⁱ',
    };

    private static readonly Dictionary<char, char> Subscripts = new()
    {
        ['0'] = '₀', ['1'] = '₁', ['2'] = '₂', ['3'] = '₃', ['4'] = '₄', ['5'] = '₅', ['6'] = '₆', ['7'] = '₇',
        ['8'] = '₈', ['9'] = '₉', ['+'] = '₊', ['-'] = '₋',
    };

    /// <summary>Plain text: no $ delimiters, Greek letters and common symbols as Unicode, accents composed, braces gone, whitespace collapsed.</summary>
    public static string ToPlain(string? tex)
    {
        if (string.IsNullOrEmpty(tex)) return "";
        var s = AccentPattern().Replace(tex, m =>
        {
            var letter = (m.Groups["l1"].Success ? m.Groups["l1"].Value : m.Groups["l2"].Value)[0];
            return Accented.TryGetValue((m.Groups["a"].Value[0], letter), out var c) ? c.ToString() : letter.ToString();
        });
        s = ScriptPattern().Replace(s, m =>
        {
            var map = m.Groups["k"].Value == "^" ? Superscripts : Subscripts;
            var body = m.Groups["b1"].Success ? m.Groups["b1"].Value : m.Groups["b2"].Value;
            var sb = new StringBuilder(body.Length);
            foreach (var c in body)
            {
                if (!map.TryGetValue(c, out var r)) return m.Groups["k"].Value + body; // leave x^{ab} readable as x^ab
                sb.Append(r);
            }
            return sb.ToString();
        });
        s = FracPattern().Replace(s, "($1)/($2)");
        s = CommandPattern().Replace(s, m =>
        {
            var name = m.Groups[1].Value;
            return Symbols.TryGetValue(name, out var r) ? r : name.Length == 1 ? name : "";
        });
        s = s.Replace("$", "").Replace("{", "").Replace("}", "").Replace("~", " ").Replace("``", "“").Replace("''", "”").Replace("--", "–");
        return Whitespace().Replace(s, " ").Trim();
    }

    // Symbol accents take a bare or braced letter (\'e, \'{e}); letter accents only a braced one (\c{c}), so \cdot stays \cdot.
    [GeneratedRegex(@"\\(?:(?<a>['`^""~=.])\s*(?:\{\\?(?<l1>[A-Za-z])\}|\\?(?<l2>[A-Za-z]))|(?<a>[cvuH])\{\\?(?<l1>[A-Za-z])\})")]
    private static partial Regex AccentPattern();

    [GeneratedRegex(@"(?<k>[\^_])(?:\{(?<b1>[^{}]*)\}|(?<b2>[0-9a-zA-Z+\-]))")]
    private static partial Regex ScriptPattern();

    [GeneratedRegex(@"\\([A-Za-z]+|[%&_#$\{\},;!])")]
    private static partial Regex CommandPattern();

    [GeneratedRegex(@"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")]
    private static partial Regex FracPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
