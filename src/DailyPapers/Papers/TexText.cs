using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace DailyPapers.Papers;

/// <summary>
/// Turns the TeX in arXiv titles, authors and abstracts into text that reads: text-mode accents, special letters,
/// dashes, quotes and font commands become Unicode (or &lt;em&gt;/&lt;strong&gt; in HTML); math is kept for KaTeX,
/// or, for mail where no KaTeX runs, made Unicode as well.
/// </summary>
/// <remarks>
/// One hand-written scanner, linear in the input: groups live on a heap stack (5,000 nested braces cost what 5,000
/// letters cost) and no regex ever runs on text outside math. Unknown commands are kept as written, with their braces,
/// so nothing is lost; Greek letters and symbols typed outside $…$ (\alpha-helix) become Unicode. Bare URLs and
/// \url{…} keep their ~ and --. Math spans are found exactly as KaTeX's auto-render finds them ($$…$$, \[…\], $…$,
/// \(…\); a backslash escapes the next character; a delimiter only counts outside braces) and copied through with
/// only their whitespace collapsed, which means nothing in math.
/// </remarks>
public static partial class TexText
{
    /// <summary>Readable Unicode text with math spans ($…$, $$…$$, \(…\), \[…\]) copied through as written; whitespace collapsed.</summary>
    public static string ToText(string? tex) => Convert(tex, Mode.Text);

    /// <summary>
    /// <see cref="ToText"/> as HTML-encoded markup for KaTeX's auto-render: emphasis becomes balanced &lt;em&gt;/&lt;strong&gt;,
    /// math stays as written (encoded), a literal dollar that KaTeX could pair with later math is isolated in a
    /// &lt;span class="tex-literal"&gt;; no other markup is ever produced.
    /// </summary>
    public static string ToHtml(string? tex) => Convert(tex, Mode.Html);

    /// <summary>Plain text for mail: <see cref="ToText"/> with math made Unicode too (no $ delimiters, Greek letters and symbols, braces gone).</summary>
    public static string ToPlain(string? tex) => Convert(tex, Mode.Plain);

    private enum Mode : byte { Text, Html, Plain }

    private static string Convert(string? tex, Mode mode)
    {
        if (string.IsNullOrEmpty(tex)) return "";
        if (NeedsNoWork(tex, mode)) return tex;
        return Scanner.Rent().Run(tex, mode);
    }

    // Most titles have none of these: they come back as the same string, with no scan and no allocation.
    private const string Whitespace = "\t\n\v\f\r\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";
    private static readonly SearchValues<char> TextSpecials = SearchValues.Create("\\{}~$`" + Whitespace);
    private static readonly SearchValues<char> HtmlSpecials = SearchValues.Create("\\{}~$`<>&\"'" + Whitespace);

    // Where a run of ordinary characters ends: anything the scanner reads specially, whitespace, and the ':' and '.'
    // that may follow a URL's scheme.
    private static readonly SearchValues<char> RunEnds = SearchValues.Create("\\{}$~-`'^_:. " + Whitespace);
    private static readonly SearchValues<char> HtmlEncoded = SearchValues.Create("<>&\"'");

    private static bool NeedsNoWork(string s, Mode mode) =>
        s.AsSpan().IndexOfAny(mode == Mode.Html ? HtmlSpecials : TextSpecials) < 0
        && s[0] != ' ' && s[^1] != ' '
        && !s.Contains("  ", StringComparison.Ordinal) && !s.Contains("--", StringComparison.Ordinal)
        && !s.Contains("''", StringComparison.Ordinal);

    private enum Kind : byte
    {
        Accent,       // \c{c}, \v s: an accent named by a letter
        Letter,       // \ss, \o, \i: a letter; like TeX, the spaces after it are dropped (F\aa hr\ae us → Fåhræus)
        Symbol,       // \ldots, \TeX: a symbol or word; the space after it is kept ("\TeX is" reads as "TeX is")
        Unwrap,       // \textsc{x}, \text{x}: the argument, no markup
        Emphasis,     // \emph{x}, \textit{x}: <em>
        Strong,       // \textbf{x}: <strong>
        Url,          // \url{x}: the argument, with ~ and -- left alone
        EmSwitch,     // {\em x}, {\it x}: <em> to the end of the group
        StrongSwitch, // {\bf x}: <strong> to the end of the group
        Ignore,       // \rm, \small, \noindent: no visible text
        Space,        // \par, \quad: a space
    }

    private readonly record struct Command(Kind Kind, string Text = "");

    private static readonly Dictionary<string, Command> Commands = BuildCommands();
    private static readonly Dictionary<string, Command>.AlternateLookup<ReadOnlySpan<char>> CommandLookup =
        Commands.GetAlternateLookup<ReadOnlySpan<char>>();

    private static Dictionary<string, Command> BuildCommands()
    {
        var map = new Dictionary<string, Command>(StringComparer.Ordinal);
        foreach (var accent in "cvuHkrdbt") map[accent.ToString()] = new(Kind.Accent, accent.ToString());
        void Add(Kind kind, string pairs)
        {
            // "name=text name=text …"; names are ASCII letters, texts have no spaces
            foreach (var pair in pairs.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                map[eq < 0 ? pair : pair[..eq]] = new(kind, eq < 0 ? "" : pair[(eq + 1)..]);
            }
        }
        Add(Kind.Letter, "ss=ß SS=SS o=ø O=Ø ae=æ AE=Æ oe=œ OE=Œ l=ł L=Ł aa=å AA=Å i=ı j=ȷ dh=ð DH=Ð th=þ TH=Þ dj=đ DJ=Đ ng=ŋ NG=Ŋ");
        Add(Kind.Symbol, "TeX=TeX LaTeX=LaTeX LaTeXe=LaTeX2ε BibTeX=BibTeX ldots=… dots=… textellipsis=… textendash=– textemdash=— " +
            "S=§ P=¶ copyright=© textcopyright=© textregistered=® texttrademark=™ pounds=£ textsterling=£ euro=€ texteuro=€ " +
            "dag=† ddag=‡ textdagger=† textdaggerdbl=‡ textdegree=° textbackslash=\\ textasciitilde=~ textasciicircum=^ " +
            "textunderscore=_ textbar=| textless=< textgreater=> guillemotleft=« guillemotright=» guilsinglleft=‹ " +
            "guilsinglright=› textquotedblleft=“ textquotedblright=” textquoteleft=‘ textquoteright=’ lq=‘ rq=’ " +
            "textbullet=• textperiodcentered=· slash=/ textexclamdown=¡ textquestiondown=¿");
        Add(Kind.Unwrap, "text textrm textsf texttt textsc textup textnormal textmd mbox underline textsuperscript textsubscript");
        Add(Kind.Emphasis, "emph textit textsl");
        Add(Kind.Strong, "textbf");
        Add(Kind.Url, "url nolinkurl");
        Add(Kind.EmSwitch, "em it itshape sl slshape");
        Add(Kind.StrongSwitch, "bf bfseries");
        Add(Kind.Ignore, "rm sf tt sc normalfont upshape mdseries scshape ttfamily rmfamily sffamily tiny scriptsize " +
            "footnotesize small normalsize large Large LARGE huge Huge noindent relax protect nobreak negthinspace");
        Add(Kind.Space, "par newline linebreak quad qquad enspace hfill");
        return map;
    }

    // Accented letters by accent (the TeX accent character or letter); composed from a table because string.Normalize
    // needs ICU, which this app runs without (InvariantGlobalization). Anything else gets a combining mark.
    private static readonly Dictionary<(char Accent, char Letter), char> Accented = BuildAccents(
        ('\'', "aeiouyAEIOUYcCnNsSzZlLrRgG", "áéíóúýÁÉÍÓÚÝćĆńŃśŚźŹĺĹŕŔǵǴ"), ('`', "aeiouAEIOUnN", "àèìòùÀÈÌÒÙǹǸ"),
        ('^', "aeiouAEIOUcCgGhHjJsSwWyY", "âêîôûÂÊÎÔÛĉĈĝĜĥĤĵĴŝŜŵŴŷŶ"), ('"', "aeiouyAEIOUY", "äëïöüÿÄËÏÖÜŸ"),
        ('~', "anoiueyANOIUEY", "ãñõĩũẽỹÃÑÕĨŨẼỸ"), ('=', "aeiouyAEIOUY", "āēīōūȳĀĒĪŌŪȲ"),
        ('.', "zZeEcCgGIaAoO", "żŻėĖċĊġĠİȧȦȯȮ"), ('c', "cCsStTgGkKlLnNrReE", "çÇşŞţŢģĢķĶļĻņŅŗŖȩȨ"),
        ('v', "sScCzZnNrReEdDtTlLaAiIoOuUgGkKj", "šŠčČžŽňŇřŘěĚďĎťŤľĽǎǍǐǏǒǑǔǓǧǦǩǨǰ"), ('u', "aAgGeEiIoOuU", "ăĂğĞĕĔĭĬŏŎŭŬ"),
        ('H', "oOuU", "őŐűŰ"), ('k', "aAeEiIuUoO", "ąĄęĘįĮųŲǫǪ"), ('r', "aAuU", "åÅůŮ"),
        ('d', "mMnNrRsStTdDhHlLzZaAeEoO", "ṃṂṇṆṛṚṣṢṭṬḍḌḥḤḷḶẓẒạẠẹẸọỌ"));

    private static Dictionary<(char, char), char> BuildAccents(params (char Accent, string Letters, string Composed)[] rows)
    {
        var map = new Dictionary<(char, char), char>();
        foreach (var (accent, letters, composed) in rows)
        {
            if (letters.Length != composed.Length) throw new InvalidOperationException($"accent table row {accent} is misaligned");
            for (int i = 0; i < letters.Length; i++) map[(accent, letters[i])] = composed[i];
        }
        return map;
    }

    private static char CombiningMark(char accent) => accent switch
    {
        '\'' => '\u0301', '`' => '\u0300', '^' => '\u0302', '"' => '\u0308', '~' => '\u0303', '=' => '\u0304', '.' => '\u0307',
        'u' => '\u0306', 'v' => '\u030C', 'H' => '\u030B', 'c' => '\u0327', 'k' => '\u0328', 'r' => '\u030A', 'd' => '\u0323',
        'b' => '\u0331', _ => '\u0361', // \t, the tie
    };

    // What a symbol accent shows when there is no letter under it (\'{}, \~ 1.6, It\^{}).
    private static char SpacingAccent(char accent) => accent switch
    {
        '\'' => '´', '"' => '¨', '=' => '¯', '.' => '˙', _ => accent, // ` ^ ~ are their own spacing forms
    };

    private static bool IsAsciiLetter(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    /// <summary>One conversion's state; one instance per thread is reused so a conversion allocates only its result.</summary>
    private sealed class Scanner
    {
        [ThreadStatic] private static Scanner? t_instance;

        private StringBuilder _out = new(256);
        private readonly List<bool> _groups = new();          // one per open brace; true when its braces are kept (\cite{…})
        private readonly List<(bool Strong, int Depth)> _tags = new(); // emphasis in force, innermost last
        private int _tagsWritten;                             // the first this many _tags have their opening tag written
        private string _s = "";
        private Mode _mode;
        private bool _pendingSpace, _hasText, _inUrl;
        private int _mathBudget, _lastMathOpener;

        public static Scanner Rent() => t_instance ??= new Scanner();

        public string Run(string s, Mode mode)
        {
            _s = s;
            _mode = mode;
            _out.Clear();
            _groups.Clear();
            _tags.Clear();
            _tagsWritten = 0;
            _pendingSpace = _hasText = _inUrl = false;
            // Looking for a math span's end is the only step that rereads text; this cap keeps thousands of unclosed
            // "$" linear (KaTeX itself would be quadratic there). Real abstracts use a small fraction of it.
            _mathBudget = Math.Max(65_536, 32 * s.Length);
            _lastMathOpener = -2;

            int i = 0, n = s.Length;
            while (i < n)
            {
                char c = s[i];
                if (_inUrl)
                {
                    if (UrlChar(ref i)) continue;
                    _inUrl = false;
                }
                switch (c)
                {
                    case '\\': i = ReadCommand(i); break;
                    case '{': _groups.Add(false); i++; break;
                    case '}':
                        // \frac{a}{b}, \textcolor{red}{x}: every argument of a command kept as written keeps its braces
                        if (CloseGroup() && i + 1 < n && s[i + 1] == '{') { KeepGroup(); i += 2; }
                        else i++;
                        break;
                    case '^' or '_' when i + 1 < n && s[i + 1] == '{': Text(c); KeepGroup(); i += 2; break; // x^{2} outside math
                    case '$': i = s.AsSpan(i).StartsWith("$$") ? ReadMath(i, "$$", "$$") : ReadMath(i, "$", "$"); break;
                    case '~': Text('\u00A0'); i++; break; // TeX's tie: a non-breaking space
                    case '-': i = ReadDashes(i); break;
                    case '`' when i + 1 < n && s[i + 1] == '`': Text('“'); i += 2; break;
                    case '\'' when i + 1 < n && s[i + 1] == '\'': Text('”'); i += 2; break;
                    default:
                        if (char.IsWhiteSpace(c)) { Space(); i++; break; }
                        if (c is ':' or '.' && UrlStartsBefore(i)) { _inUrl = true; break; } // the URL branch takes it from here
                        // A run of ordinary characters goes out in one piece.
                        int run = s.AsSpan(i + 1).IndexOfAny(RunEnds);
                        int end = run < 0 ? n : i + 1 + run;
                        Text(s.AsSpan(i, end - i));
                        i = end;
                        break;
                }
            }
            for (int t = _tags.Count - 1; t >= 0; t--) CloseTag(t);
            var result = _out.ToString();
            if (_out.Capacity > 64 * 1024) _out = new StringBuilder(256); // don't keep a pathological input's buffer alive
            _s = "";
            return result;
        }

        // A bare URL keeps its ~ and -- (…/~user/a--b) until whitespace, a brace, math or a command; \_ \% \& \# \~ \$ are unescaped.
        private bool UrlChar(ref int i)
        {
            var s = _s;
            char c = s[i];
            if (char.IsWhiteSpace(c) || c is '{' or '}' or '$' or '<' or '>' or '"') return false;
            if (c == '\'' && i + 1 < s.Length && s[i + 1] == '\'') return false;
            if (c == '\\')
            {
                if (i + 1 < s.Length && s[i + 1] is '_' or '%' or '&' or '#' or '~' or '$') { Text(s[i + 1]); i += 2; return true; }
                return false;
            }
            Text(c);
            i++;
            return true;
        }

        // At the ':' of "http://", "https://", "ftp://" or the '.' of "www.", the scheme starting a word.
        private bool UrlStartsBefore(int i)
        {
            var s = _s;
            if (s[i] == '.') return Word(i, "www");
            return s.AsSpan(i).StartsWith("://") && (Word(i, "http") || Word(i, "https") || Word(i, "ftp"));

            bool Word(int at, string word) =>
                at >= word.Length && s.AsSpan(at - word.Length, word.Length).SequenceEqual(word)
                && (at == word.Length || !char.IsLetterOrDigit(s[at - word.Length - 1]));
        }

        private int ReadDashes(int i)
        {
            int j = i;
            while (j < _s.Length && _s[j] == '-') j++;
            int run = j - i;
            for (; run >= 3; run -= 3) Text('—');
            if (run == 2) Text('–');
            else if (run == 1) Text('-');
            return j;
        }

        private int ReadCommand(int i)
        {
            var s = _s;
            int n = s.Length;
            if (i + 1 >= n) { Text('\\'); return n; }
            char c = s[i + 1];
            if (IsAsciiLetter(c))
            {
                int j = i + 2;
                while (j < n && IsAsciiLetter(s[j])) j++;
                var name = s.AsSpan(i + 1, j - i - 1);
                if (CommandLookup.TryGetValue(name, out var command)) return Apply(command, i, j);
                // Greek letters and symbols typed outside $…$ ("\alpha-helical"); mail also drops \mathbb, \left and the like
                if (SymbolLookup.TryGetValue(name, out var symbol) && (symbol.Length > 0 || _mode == Mode.Plain)) { Text(symbol); return j; }
                if (j < n && s[j] == '*') j++; // \citep*{…}
                return KeepAsWritten(i, j);
            }
            switch (c)
            {
                case '\'' or '`' or '^' or '"' or '~' or '=' or '.': return ReadAccent(c, i, i + 2);
                case '$': Literal("$", i + 2); return i + 2;
                case '&' or '%' or '_' or '#' or '{' or '}': Text(c); return i + 2;
                case '(': return ReadMath(i, @"\(", @"\)");
                case '[': return ReadMath(i, @"\[", @"\]");
                case '\\' or ',' or ';' or ':': Space(); return i + 2; // line break and the small spaces
                case '-' or '/' or '@' or '!': return i + 2;         // hyphenation point, italic correction, space factor, negative space
                default:
                    if (char.IsWhiteSpace(c)) { Space(); return i + 2; } // "\ " is an ordinary space
                    Text('\\');
                    return i + 1; // \| \* …: kept as written, the character read next as itself
            }
        }

        // An unknown command stays as written; an argument right after it keeps its braces and is converted inside.
        private int KeepAsWritten(int start, int end)
        {
            Text(_s.AsSpan(start, end - start));
            if (end < _s.Length && _s[end] == '{')
            {
                KeepGroup();
                return end + 1;
            }
            return end;
        }

        private void KeepGroup()
        {
            _groups.Add(true);
            Text('{');
        }

        private int Apply(Command command, int start, int end)
        {
            switch (command.Kind)
            {
                case Kind.Accent: return ReadAccent(command.Text[0], start, end);
                case Kind.Letter: Text(command.Text); return SkipSpaces(end);
                case Kind.Symbol: Text(command.Text); return end;
                case Kind.Ignore: return SkipSpaces(end);
                case Kind.Space: Space(); return SkipSpaces(end);
                case Kind.EmSwitch: OpenTag(strong: false); return SkipSpaces(end);
                case Kind.StrongSwitch: OpenTag(strong: true); return SkipSpaces(end);
                default:
                    int brace = SkipSpaces(end);
                    if (brace >= _s.Length || _s[brace] != '{') { Text(_s.AsSpan(start, end - start)); return end; }
                    _groups.Add(false);
                    if (command.Kind == Kind.Emphasis) OpenTag(strong: false);
                    else if (command.Kind == Kind.Strong) OpenTag(strong: true);
                    else if (command.Kind == Kind.Url) _inUrl = true;
                    return brace + 1;
            }
        }

        // \'e \'{e} \' e \'\i \'{\i} \"{{\i}} \c{c} \v s: the accent on one letter; \c{hi} and \H(x) stay as written.
        private int ReadAccent(char accent, int start, int end)
        {
            var s = _s;
            bool symbolAccent = !IsAsciiLetter(accent);
            int p = SkipSpaces(end);
            if (p < s.Length && s[p] == '{')
            {
                if (TryReadAccentGroup(p, out char letter, out bool dotless, out int after))
                {
                    if (letter == '\0') Text(SpacingAccent(accent));
                    else Compose(accent, letter, dotless);
                    return after;
                }
                Text(s.AsSpan(start, end - start));
                KeepGroup();
                return p + 1;
            }
            if (IsDotless(p)) { Compose(accent, s[p + 1], dotless: true); return SkipSpaces(p + 2); }
            if (p < s.Length && char.IsLetter(s[p]) && !char.IsSurrogate(s[p])) { Compose(accent, s[p], dotless: false); return p + 1; }
            if (symbolAccent && (p >= s.Length || s[p] != '\\')) { Text(SpacingAccent(accent)); return p; }
            Text(s.AsSpan(start, end - start));
            return end;
        }

        private bool IsDotless(int p) =>
            p + 1 < _s.Length && _s[p] == '\\' && _s[p + 1] is 'i' or 'j' && (p + 2 >= _s.Length || !IsAsciiLetter(_s[p + 2]));

        // {e}, {\i}, {{\i}}, { e }, {}: up to three nested braces around one letter or nothing.
        private bool TryReadAccentGroup(int p, out char letter, out bool dotless, out int after)
        {
            var s = _s;
            letter = '\0';
            dotless = false;
            after = p;
            int q = p, opens = 0;
            while (q < s.Length && s[q] == '{' && opens < 3) { opens++; q = SkipSpaces(q + 1); }
            if (q >= s.Length) return false;
            if (IsDotless(q)) { letter = s[q + 1]; dotless = true; q += 2; }
            else if (s[q] != '}')
            {
                if (!char.IsLetter(s[q]) || char.IsSurrogate(s[q])) return false;
                letter = s[q++];
            }
            for (int m = 0; m < opens; m++)
            {
                q = SkipSpaces(q);
                if (q >= s.Length || s[q] != '}') return false;
                q++;
            }
            after = q;
            return true;
        }

        private void Compose(char accent, char letter, bool dotless)
        {
            if (Accented.TryGetValue((accent, letter), out var composed)) { Text(composed); return; }
            Text(dotless ? (letter == 'i' ? 'ı' : 'ȷ') : letter);
            Text(CombiningMark(accent));
        }

        private int ReadMath(int start, string open, string close)
        {
            var s = _s;
            int body = start + open.Length;
            int end = FindEndOfMath(body, close);
            if (end < 0) { Literal(open, body); return body; }
            if (_mode == Mode.Plain) Emit(PlainMath(s[body..end]));
            else Emit(s.AsSpan(start, end + close.Length - start));
            return end + close.Length;
        }

        // KaTeX auto-render's findEndOfMath: a backslash skips the next character; the delimiter counts outside braces only.
        private int FindEndOfMath(int from, string close)
        {
            var s = _s;
            int braces = 0;
            for (int i = from; i < s.Length; i++)
            {
                if (--_mathBudget < 0) return -1;
                char c = s[i];
                if (braces <= 0 && c == close[0] && s.AsSpan(i).StartsWith(close)) return i;
                if (c == '\\') i++;
                else if (c == '{') braces++;
                else if (c == '}') braces--;
            }
            return -1;
        }

        // A $, \( or \[ that opens no math. In HTML, when math could follow, it goes in its own element, because
        // auto-render pairs delimiters within one run of text and would start math here (and an unclosed one there
        // would stop it typesetting everything after).
        private void Literal(string text, int after)
        {
            if (_mode != Mode.Html || !MathOpenerAtOrAfter(after)) { Text(text); return; }
            BeforeText();
            _out.Append("<span class=\"tex-literal\">").Append(text).Append("</span>");
        }

        private bool MathOpenerAtOrAfter(int i)
        {
            if (_lastMathOpener == -2)
                _lastMathOpener = Math.Max(_s.LastIndexOf('$'),
                    Math.Max(_s.LastIndexOf(@"\(", StringComparison.Ordinal), _s.LastIndexOf(@"\[", StringComparison.Ordinal)));
            return _lastMathOpener >= i;
        }

        // Closes the innermost group and says whether its braces were kept.
        private bool CloseGroup()
        {
            int depth = _groups.Count;
            if (depth == 0) return false; // a stray } is markup, not text
            while (_tags.Count > 0 && _tags[^1].Depth >= depth) CloseTag(_tags.Count - 1);
            bool kept = _groups[depth - 1];
            _groups.RemoveAt(depth - 1);
            if (kept) Text('}');
            return kept;
        }

        // Tags open lazily, just before the next character they wrap, so empty emphasis writes nothing and a space
        // before it lands outside it.
        private void OpenTag(bool strong)
        {
            if (_mode == Mode.Html) _tags.Add((strong, _groups.Count));
        }

        private void CloseTag(int index)
        {
            if (index < _tagsWritten)
            {
                _out.Append(_tags[index].Strong ? "</strong>" : "</em>");
                _tagsWritten = index;
            }
            _tags.RemoveAt(index);
        }

        private int SkipSpaces(int i)
        {
            while (i < _s.Length && char.IsWhiteSpace(_s[i])) i++;
            return i;
        }

        private void Space() => _pendingSpace = _hasText;

        private void BeforeText()
        {
            if (_pendingSpace) { _out.Append(' '); _pendingSpace = false; }
            for (; _tagsWritten < _tags.Count; _tagsWritten++) _out.Append(_tags[_tagsWritten].Strong ? "<strong>" : "<em>");
            _hasText = true;
        }

        private void Text(char c)
        {
            BeforeText();
            if (_mode != Mode.Html) { _out.Append(c); return; }
            switch (c)
            {
                case '<': _out.Append("&lt;"); break;
                case '>': _out.Append("&gt;"); break;
                case '&': _out.Append("&amp;"); break;
                case '"': _out.Append("&quot;"); break;
                case '\'': _out.Append("&#39;"); break;
                default: _out.Append(c); break;
            }
        }

        private void Text(ReadOnlySpan<char> text)
        {
            if (text.IsEmpty) return;
            BeforeText();
            if (_mode != Mode.Html) { _out.Append(text); return; }
            while (true)
            {
                int k = text.IndexOfAny(HtmlEncoded);
                if (k < 0) { _out.Append(text); return; }
                _out.Append(text[..k]);
                Text(text[k]);
                text = text[(k + 1)..];
            }
        }

        // Text whose whitespace still needs collapsing: math as written, or math made plain.
        private void Emit(ReadOnlySpan<char> text)
        {
            foreach (var c in text)
            {
                if (char.IsWhiteSpace(c)) Space();
                else Text(c);
            }
        }
    }

    // ---- Math made plain, for mail (ToPlain): runs only on the inside of a math span. ----

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

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> SymbolLookup =
        Symbols.GetAlternateLookup<ReadOnlySpan<char>>();

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

    // The body of one math span (no delimiters) as plain text: Greek letters and symbols, scripts, fractions, braces gone.
    private static string PlainMath(string math)
    {
        var s = MathAccentPattern().Replace(math, m =>
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
        s = MathCommandPattern().Replace(s, m =>
        {
            var name = m.Groups[1].Value;
            return Symbols.TryGetValue(name, out var r) ? r : name.Length == 1 ? name : "";
        });
        return s.Replace("{", "").Replace("}", "").Replace("~", " ");
    }

    // Symbol accents take a bare or braced letter (\'e, \'{e}); letter accents only a braced one (\c{c}), so \cdot stays \cdot.
    // Every pattern here is linear: no nested quantifiers, and [^{}]* stops at the next brace.
    [GeneratedRegex(@"\\(?:(?<a>['`^""~=.])\s*(?:\{\\?(?<l1>[A-Za-z])\}|\\?(?<l2>[A-Za-z]))|(?<a>[cvuH])\{\\?(?<l1>[A-Za-z])\})")]
    private static partial Regex MathAccentPattern();

    [GeneratedRegex(@"(?<k>[\^_])(?:\{(?<b1>[^{}]*)\}|(?<b2>[0-9a-zA-Z+\-]))")]
    private static partial Regex ScriptPattern();

    [GeneratedRegex(@"\\([A-Za-z]+|[%&_#$\{\},;!])")]
    private static partial Regex MathCommandPattern();

    [GeneratedRegex(@"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")]
    private static partial Regex FracPattern();
}
