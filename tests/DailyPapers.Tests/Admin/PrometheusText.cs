using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DailyPapers.Tests.Admin;

/// <summary>
/// A strict reader of the Prometheus text exposition format (version 0.0.4), written from the format's description:
/// HELP and TYPE comments, samples with escaped label values, float values (+Inf, -Inf, NaN), and for histograms
/// cumulative buckets whose +Inf bucket equals _count. Anything else is a <see cref="FormatException"/>.
/// </summary>
public static partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public string? Label(string name) => Labels.TryGetValue(name, out var v) ? v : null;
    }

    public sealed record Family(string Name, string Type, string Help, List<Sample> Samples);

    public sealed class Scrape(Dictionary<string, Family> families)
    {
        public IReadOnlyDictionary<string, Family> Families => families;

        /// <summary>The value of the one sample with this name and these labels (others may be present); 0 when absent.</summary>
        public double Value(string sample, params (string Name, string Value)[] labels) =>
            families.Values.SelectMany(f => f.Samples)
                .Where(s => s.Name == sample && labels.All(l => s.Label(l.Name) == l.Value))
                .Select(s => s.Value).DefaultIfEmpty(0).Single();
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static Scrape Parse(string text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        if (lines[^1].Length != 0) throw new FormatException("the exposition must end with a line feed");
        for (int n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            string Where() => $"line {n + 1}: {line}";
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] == "HELP")
                {
                    if (!MetricName().IsMatch(parts[2])) throw new FormatException("bad metric name in HELP, " + Where());
                    help[parts[2]] = parts.Length == 4 ? parts[3] : "";
                }
                else if (parts.Length == 4 && parts[1] == "TYPE")
                {
                    if (!MetricName().IsMatch(parts[2]) || !Types.Contains(parts[3])) throw new FormatException("bad TYPE, " + Where());
                    if (families.ContainsKey(parts[2])) throw new FormatException("second TYPE for one family, " + Where());
                    families[parts[2]] = new Family(parts[2], parts[3], help.GetValueOrDefault(parts[2], ""), []);
                }
                continue;
            }
            var sample = ParseSample(line, Where);
            var family = FamilyOf(families, sample.Name) ?? throw new FormatException("sample before its TYPE, " + Where());
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!series.Add(key)) throw new FormatException("duplicate series, " + Where());
            if (family.Type == "counter" && (sample.Value < 0 || double.IsNaN(sample.Value))) throw new FormatException("negative counter, " + Where());
            family.Samples.Add(sample);
        }
        foreach (var f in families.Values.Where(f => f.Type == "histogram")) CheckHistogram(f);
        return new Scrape(families);
    }

    /// <summary>The family a sample belongs to: its own name, or a histogram's or summary's with a suffix.</summary>
    private static Family? FamilyOf(Dictionary<string, Family> families, string name)
    {
        if (families.TryGetValue(name, out var f)) return f;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (name.EndsWith(suffix, StringComparison.Ordinal) && families.TryGetValue(name[..^suffix.Length], out var h) && h.Type is "histogram" or "summary")
                return h;
        return null;
    }

    private static Sample ParseSample(string line, Func<string> where)
    {
        try
        {
            return ParseSampleUnchecked(line, where);
        }
        catch (IndexOutOfRangeException)
        {
            throw new FormatException("line ends inside its labels, " + where());
        }
    }

    private static Sample ParseSampleUnchecked(string line, Func<string> where)
    {
        int i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        if (!MetricName().IsMatch(name)) throw new FormatException("bad metric name, " + where());
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                int eq = line.IndexOf('=', i);
                if (eq < 0) throw new FormatException("label without value, " + where());
                var label = line[i..eq];
                if (!LabelName().IsMatch(label) || label.StartsWith("__", StringComparison.Ordinal)) throw new FormatException("bad label name, " + where());
                if (line[eq + 1] != '"') throw new FormatException("unquoted label value, " + where());
                var value = new StringBuilder();
                int j = eq + 2;
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] switch { '\\' => '\\', '"' => '"', 'n' => '\n', _ => throw new FormatException("bad escape, " + where()) });
                    }
                    else value.Append(line[j]);
                }
                if (!labels.TryAdd(label, value.ToString())) throw new FormatException("repeated label, " + where());
                i = j + 1;
                if (line[i] == ',') i++;
                else if (line[i] != '}') throw new FormatException("labels not separated by commas, " + where());
            }
            i++;
        }
        if (i >= line.Length || line[i] != ' ') throw new FormatException("no value, " + where());
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2) throw new FormatException("value and at most a timestamp expected, " + where());
        var v = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new FormatException("bad value, " + where()),
        };
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) throw new FormatException("bad timestamp, " + where());
        return new Sample(name, labels, v);
    }

    private static void CheckHistogram(Family f)
    {
        foreach (var group in f.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"))))
        {
            var buckets = group.Where(s => s.Name == f.Name + "_bucket")
                .Select(s => (Le: s.Label("le") ?? throw new FormatException($"{f.Name}: bucket without le"), s.Value))
                .Select(b => (Le: b.Le == "+Inf" ? double.PositiveInfinity : double.Parse(b.Le, CultureInfo.InvariantCulture), b.Value))
                .OrderBy(b => b.Le).ToList();
            if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Le)) throw new FormatException($"{f.Name}{{{group.Key}}}: no +Inf bucket");
            for (int k = 1; k < buckets.Count; k++)
                if (buckets[k].Value < buckets[k - 1].Value) throw new FormatException($"{f.Name}{{{group.Key}}}: buckets are not cumulative");
            var count = group.SingleOrDefault(s => s.Name == f.Name + "_count") ?? throw new FormatException($"{f.Name}{{{group.Key}}}: no _count");
            if (group.All(s => s.Name != f.Name + "_sum")) throw new FormatException($"{f.Name}{{{group.Key}}}: no _sum");
            if (count.Value != buckets[^1].Value) throw new FormatException($"{f.Name}{{{group.Key}}}: +Inf bucket {buckets[^1].Value} is not _count {count.Value}");
        }
    }
}
