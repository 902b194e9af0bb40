using System.ComponentModel.DataAnnotations;
using DailyPapers.Settings;

namespace DailyPapers.Digest;

/// <summary>Digest settings (configuration section "Digest"); every value has a working default.</summary>
public sealed class DigestSettings : ISettingsSection
{
    public const string Section = "Digest";
    static string ISettingsSection.Section => Section;

    /// <summary>Where links in mail point; mail clients need absolute URLs.</summary>
    [Required, Url] public string PublicBaseUrl { get; set; } = "http://localhost:5000";
    /// <summary>Base64 key (≥ 32 bytes) for signed links; when empty a key is generated in the data dir on first use.</summary>
    public string? SigningKey { get; set; }
    /// <summary>Address in the mailto part of List-Unsubscribe; the From address when empty.</summary>
    [EmailAddress] public string? UnsubscribeMailbox { get; set; }

    [Range(1, 100)] public int TopPapers { get; set; } = 10;
    [Range(0, 100)] public int MatchedPapers { get; set; } = 10;
    /// <summary>Confirmation links expire after two days: long enough for a weekend, short enough to limit guessing time.</summary>
    [Range(1, 24 * 30)] public int ConfirmTokenHours { get; set; } = 48;
    /// <summary>Permanent rejections in a row before an address stops receiving digests.</summary>
    [Range(1, 100)] public int BounceThreshold { get; set; } = 3;

    /// <summary>How long the SMTP server may stay unreachable before a run gives up as incomplete (resumed on the next tick).</summary>
    [Range(0.1, 86_400)] public double RetryForSeconds { get; set; } = 1800;
    [Range(0.01, 3600)] public double RetryFirstDelaySeconds { get; set; } = 1;
    [Range(0.01, 3600)] public double RetryMaxDelaySeconds { get; set; } = 60;
    /// <summary>A node owns a run for this long after its last progress; a crashed node's run is taken over after it.</summary>
    [Range(5, 3600)] public int LeaseSeconds { get; set; } = 120;
    /// <summary>SMTP connections a run uses at once; Mail:RatePerSecond applies to each.</summary>
    [Range(1, 16)] public int SendConcurrency { get; set; } = 2;
    [Range(10, 10_000)] public int BatchSize { get; set; } = 500;

    public bool SchedulerEnabled { get; set; } = true;
    [Range(1, 3600)] public int SchedulerIntervalSeconds { get; set; } = 60;
    /// <summary>arXiv announces at 20:00 US Eastern (00:00–01:00 UTC); two hours later the day's papers are in.</summary>
    public TimeOnly DailySendTimeUtc { get; set; } = new(2, 0);
    /// <summary>The weekly digest of the previous ISO week goes out on this day, at the daily time.</summary>
    public DayOfWeek WeeklySendDay { get; set; } = DayOfWeek.Monday;

    /// <summary>Optional DKIM signing: a PEM private key file, the signing domain and selector.</summary>
    public string? DkimPrivateKeyPath { get; set; }
    public string? DkimDomain { get; set; }
    public string? DkimSelector { get; set; }

    public Uri BaseUri => new(PublicBaseUrl.TrimEnd('/') + "/");
}
