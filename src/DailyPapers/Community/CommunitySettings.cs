using System.ComponentModel.DataAnnotations;
using DailyPapers.Settings;

namespace DailyPapers.Community;

/// <summary>Community rules and limits (configuration section "Community"); every value has a working default.</summary>
public sealed class CommunitySettings : ISettingsSection, IValidatableObject
{
    public const string Section = "Community";
    static string ISettingsSection.Section => Section;

    /// <summary>Base URL for links in mails and CLI output (e.g. https://papers.example.org); empty: the request's own address.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Read the client address and scheme from X-Forwarded-For/Proto, when the request comes from a known proxy (below).</summary>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>Addresses of the reverse proxies whose forwarded headers count (e.g. 10.0.0.5). With neither list set: loopback only.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form (e.g. 10.0.0.0/8, fd00::/8). With neither list set: loopback only.</summary>
    public string[] KnownNetworks { get; set; } = [];

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

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        foreach (var p in KnownProxies.Where(p => !System.Net.IPAddress.TryParse(p, out _)))
            yield return new ValidationResult($"Community:KnownProxies: '{p}' is not an IP address.", [nameof(KnownProxies)]);
        foreach (var n in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
            yield return new ValidationResult($"Community:KnownNetworks: '{n}' is not a network in CIDR form such as 10.0.0.0/8.", [nameof(KnownNetworks)]);
    }
}
