using System.ComponentModel.DataAnnotations;
using DailyPapers.Settings;
using MailKit.Security;

namespace DailyPapers.Mail;

/// <summary>SMTP settings (configuration section "Mail"); the defaults suit a local relay on port 25.</summary>
public sealed class MailSettings : ISettingsSection
{
    public const string Section = "Mail";
    static string ISettingsSection.Section => Section;

    [Required] public string Host { get; set; } = "localhost";
    [Range(1, 65535)] public int Port { get; set; } = 25;
    /// <summary>None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Tls { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;
    public string? Username { get; set; }
    public string? Password { get; set; }
    [Required, EmailAddress] public string FromAddress { get; set; } = "dailypapers@localhost";
    [Required] public string FromName { get; set; } = "DailyPapers";
    /// <summary>Messages per second at most; 0 means unlimited.</summary>
    [Range(0, 10_000)] public double RatePerSecond { get; set; } = 0;
    [Range(1, 600)] public int TimeoutSeconds { get; set; } = 30;
}
