using System.ComponentModel.DataAnnotations;

namespace DailyPapers.Api;

/// <summary>Settings of /api/v1 (configuration section "Api", e.g. DAILYPAPERS_Api__RatePermits=600).</summary>
public sealed class ApiSettings
{
    public const string Section = "Api";

    /// <summary>Requests a client (a token, or an address without one) may make per window; 300 a minute is ample for scripts, not for scraping.</summary>
    [Range(1, 1_000_000)] public int RatePermits { get; set; } = 300;

    [Range(1, 86_400)] public int RateWindowSeconds { get; set; } = 60;
}
