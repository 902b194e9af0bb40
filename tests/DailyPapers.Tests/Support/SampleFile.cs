using System.Globalization;
using System.Text.Json;

namespace DailyPapers.Tests.Support;

/// <summary>The sample snapshot read independently of the importer, to compute what pages should show.</summary>
public static class SampleFile
{
    public sealed record Entry(string Id, string Title, string[] Categories, DateTime FirstVersion)
    {
        /// <summary>The documented rule, restated here: v1's UTC day, weekends moved to Monday.</summary>
        public DateOnly ListingDate
        {
            get
            {
                var d = DateOnly.FromDateTime(FirstVersion);
                return d.DayOfWeek == DayOfWeek.Saturday ? d.AddDays(2) : d.DayOfWeek == DayOfWeek.Sunday ? d.AddDays(1) : d;
            }
        }
    }

    public static List<Entry> Read(string? path = null) =>
        File.ReadLines(path ?? TestEnv.Sample1000).Select(line =>
        {
            var e = JsonSerializer.Deserialize<JsonElement>(line);
            var v1 = e.GetProperty("versions").EnumerateArray().First().GetProperty("created").GetString()!;
            return new Entry(
                e.GetProperty("id").GetString()!,
                e.GetProperty("title").GetString()!,
                e.GetProperty("categories").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                DateTime.Parse(v1, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal));
        }).ToList();
}
