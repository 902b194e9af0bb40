using System.Globalization;
using System.Net;
using System.Text;

namespace DailyPapers.Admin;

public enum SeriesKind { Bar, Line }

/// <summary>One series of a chart: a value (or none) per category, drawn as bars or as a line with points.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values, SeriesKind Kind = SeriesKind.Bar);

/// <summary>
/// A chart's data: categories along the x axis and the series over them. The page draws it with <see cref="SvgChart"/>
/// and prints the same object as its table, so the picture and the numbers cannot disagree.
/// </summary>
public sealed record ChartData(string Id, string Title, string Summary, string CategoryName, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series,
    bool Stacked = false, string Unit = "", int Decimals = 0)
{
    public bool IsEmpty => Categories.Count == 0 || Series.All(s => s.Values.All(v => v is null));

    public string Format(double? v) => v is { } x ? x.ToString("N" + Decimals, CultureInfo.InvariantCulture) : "–";
}

/// <summary>
/// Draws a <see cref="ChartData"/> as inline SVG on the server: no script, no CDN, nothing for the CSP to allow.
/// Colours come from CSS classes (<c>s0</c>…<c>s5</c> → <c>--chart-N</c>), so the one drawing reads in light and dark.
/// Every bar and point carries data-series, data-label and data-value (what tests and copy-paste read) and a title
/// (what a pointer shows).
/// </summary>
public static class SvgChart
{
    private const double Width = 560, Height = 220, Left = 52, Right = 8, Top = 10, Bottom = 34;
    private const double PlotW = Width - Left - Right, PlotH = Height - Top - Bottom;

    /// <summary>At most this many x labels are written; the others are left out evenly so they never overlap.</summary>
    private const int MaxXLabels = 8;

    public static string Render(ChartData c)
    {
        var sb = new StringBuilder();
        string Num(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        string Enc(string s) => WebUtility.HtmlEncode(s);
        sb.Append($"<svg class=\"chart-svg\" viewBox=\"0 0 {Num(Width)} {Num(Height)}\" role=\"img\" aria-labelledby=\"{c.Id}-t {c.Id}-d\" data-chart=\"{c.Id}\">");
        sb.Append($"<title id=\"{c.Id}-t\">{Enc(c.Title)}</title><desc id=\"{c.Id}-d\">{Enc(c.Summary)} The same figures are in the table below.</desc>");

        int n = c.Categories.Count;
        var bars = c.Series.Select((s, i) => (s, i)).Where(x => x.s.Kind == SeriesKind.Bar).ToList();
        var lines = c.Series.Select((s, i) => (s, i)).Where(x => x.s.Kind == SeriesKind.Line).ToList();
        double max = 0;
        for (int k = 0; k < n; k++)
        {
            if (c.Stacked) max = Math.Max(max, bars.Sum(b => b.s.Values[k] ?? 0));
            else foreach (var b in bars) max = Math.Max(max, b.s.Values[k] ?? 0);
            foreach (var l in lines) max = Math.Max(max, l.s.Values[k] ?? 0);
        }
        double top = NiceCeiling(max);
        double Y(double v) => Top + PlotH - v / top * PlotH;

        // Grid and y labels: five steps of a round number.
        sb.Append("<g class=\"grid\">");
        for (int t = 0; t <= 4; t++)
        {
            double v = top * t / 4, y = Y(v);
            sb.Append($"<line x1=\"{Num(Left)}\" x2=\"{Num(Width - Right)}\" y1=\"{Num(y)}\" y2=\"{Num(y)}\"/>");
            sb.Append($"<text class=\"y\" x=\"{Num(Left - 6)}\" y=\"{Num(y + 4)}\">{Enc(Short(v))}</text>");
        }
        sb.Append("</g>");

        double slot = n == 0 ? PlotW : PlotW / n;
        // x labels
        int every = Math.Max(1, (int)Math.Ceiling(n / (double)MaxXLabels));
        sb.Append("<g class=\"x\">");
        for (int k = 0; k < n; k++)
            if (k % every == 0)
                sb.Append($"<text x=\"{Num(Left + slot * (k + 0.5))}\" y=\"{Num(Height - Bottom + 16)}\">{Enc(c.Categories[k])}</text>");
        sb.Append("</g>");

        // Bars: stacked in one column, or side by side.
        double barArea = slot * 0.78;
        for (int k = 0; k < n; k++)
        {
            double x0 = Left + slot * k + (slot - barArea) / 2, stackBase = 0;
            for (int b = 0; b < bars.Count; b++)
            {
                var (s, si) = bars[b];
                if (s.Values[k] is not { } v) continue;
                double w = c.Stacked || bars.Count == 1 ? barArea : barArea / bars.Count;
                double x = c.Stacked || bars.Count == 1 ? x0 : x0 + w * b;
                double y1 = Y(stackBase + v), y0 = Y(stackBase);
                if (c.Stacked) stackBase += v;
                sb.Append($"<rect class=\"s{si % 6}\" x=\"{Num(x)}\" y=\"{Num(y1)}\" width=\"{Num(Math.Max(w - 1, 0.5))}\" height=\"{Num(Math.Max(y0 - y1, 0))}\" {Data(c, s, k, v)}><title>{Enc($"{c.Categories[k]} · {s.Name}: {c.Format(v)}{c.Unit}")}</title></rect>");
            }
        }
        // Lines with a point per value.
        foreach (var (s, si) in lines)
        {
            var pts = new List<string>();
            for (int k = 0; k < n; k++)
                if (s.Values[k] is { } v) pts.Add($"{Num(Left + slot * (k + 0.5))},{Num(Y(v))}");
            if (pts.Count > 1) sb.Append($"<polyline class=\"line s{si % 6}\" points=\"{string.Join(' ', pts)}\"/>");
            for (int k = 0; k < n; k++)
                if (s.Values[k] is { } v)
                    sb.Append($"<circle class=\"point s{si % 6}\" cx=\"{Num(Left + slot * (k + 0.5))}\" cy=\"{Num(Y(v))}\" r=\"{(n > 40 ? 1.6 : 3)}\" {Data(c, s, k, v)}><title>{Enc($"{c.Categories[k]} · {s.Name}: {c.Format(v)}{c.Unit}")}</title></circle>");
        }
        sb.Append($"<line class=\"axis\" x1=\"{Num(Left)}\" x2=\"{Num(Width - Right)}\" y1=\"{Num(Top + PlotH)}\" y2=\"{Num(Top + PlotH)}\"/>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string Data(ChartData c, ChartSeries s, int k, double v) =>
        $"data-series=\"{WebUtility.HtmlEncode(s.Name)}\" data-label=\"{WebUtility.HtmlEncode(c.Categories[k])}\" data-value=\"{WebUtility.HtmlEncode(c.Format(v))}\"";

    /// <summary>The smallest 1, 2 or 5 × 10^k at or above <paramref name="v"/> (4 steps of it make the grid).</summary>
    public static double NiceCeiling(double v)
    {
        if (v <= 0) return 4;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1, 2, 4, 5, 8, 10 })
            if (m * mag >= v) return m * mag;
        return 10 * mag;
    }

    /// <summary>Axis numbers: 1500 → 1.5k, 2000000 → 2M.</summary>
    private static string Short(double v) => v switch
    {
        >= 1_000_000 => (v / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (v / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => v.ToString("0.##", CultureInfo.InvariantCulture),
    };
}
