using System.Globalization;

namespace DailyPapers.Web;

/// <summary>Whole numbers from a query string (page, limit, pageSize): absent gives the fallback, anything else must be digits within range.</summary>
public static class QueryNumber
{
    public static bool TryParse(string? s, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (s is null) return true;
        return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
