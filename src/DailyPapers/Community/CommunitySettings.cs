using System.ComponentModel.DataAnnotations;

namespace DailyPapers.Community;

/// <summary>Community rules and limits (configuration section "Community"); every value has a working default.</summary>
public sealed class CommunitySettings
{
    public const string Section = "Community";

    /// <summary>Base URL for links in mails and CLI output (e.g. https://papers.example.org); empty: the request's own address.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Trust X-Forwarded-For/Proto from any proxy. Only behind a reverse proxy (and in tests that simulate several clients).</summary>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>Login and sign-up attempts per client address per minute (all accounts together).</summary>
    [Range(1, 10_000)] public int AuthAttemptsPerIpPerMinute { get; set; } = 20;

    /// <summary>Login attempts on one account from one address per 15 minutes; other addresses keep their own budget, so the owner is never locked out.</summary>
    [Range(1, 10_000)] public int LoginAttemptsPerAccountPerAddress { get; set; } = 5;

    /// <summary>Sign-ups and reset mails per client address per hour.</summary>
    [Range(1, 10_000)] public int MailsPerIpPerHour { get; set; } = 10;

    /// <summary>Account mails (confirmation, reset, "already registered") to one address per hour, from all senders together.</summary>
    [Range(1, 1000)] public int MailsPerAccountPerHour { get; set; } = 5;

    /// <summary>Comments (new or edited) per member per 10 minutes.</summary>
    [Range(1, 10_000)] public int CommentsPerUserPer10Minutes { get; set; } = 10;

    /// <summary>Papers one member may submit per UTC day.</summary>
    [Range(0, 1000)] public int SubmissionsPerUserPerDay { get; set; } = 5;

    /// <summary>Papers first published on arXiv longer ago than this cannot be submitted.</summary>
    [Range(1, 3650)] public int SubmissionMaxAgeDays { get; set; } = 14;
}
