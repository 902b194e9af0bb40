using DailyPapers.Mail;
using MimeKit;

namespace DailyPapers.Community;

/// <summary>The mails the account pages send: confirmation, password reset, and "you already have an account".</summary>
public sealed class AccountMail(MailSender sender, CommunityLimits limits, ILogger<AccountMail> log)
{
    public Task SendConfirmationAsync(string to, string link, CancellationToken ct) => SendAsync(to, "Confirm your DailyPapers account",
        $"Welcome to DailyPapers.\n\nConfirm your email address by opening this link:\n\n{link}\n\nIf you did not sign up, ignore this mail.", ct);

    public Task SendResetAsync(string to, string link, CancellationToken ct) => SendAsync(to, "Reset your DailyPapers password",
        $"Someone asked to reset the password of the DailyPapers account for this address.\n\nChoose a new password here:\n\n{link}\n\nThe link works once. If it wasn't you, ignore this mail; your password is unchanged.", ct);

    /// <summary>Sign-up with a known address: tell the owner instead of telling the visitor that the address exists.</summary>
    public Task SendAlreadyRegisteredAsync(string to, string resetLink, CancellationToken ct) => SendAsync(to, "Your DailyPapers account",
        $"Someone tried to sign up for DailyPapers with this address, which already has an account.\n\nIf it was you and you forgot the password, reset it here:\n\n{resetLink}\n\nOtherwise ignore this mail.", ct);

    private async Task SendAsync(string to, string subject, string text, CancellationToken ct)
    {
        if (!limits.TryAccountMail(to))
        {
            // Silently: the page must look the same either way, and the owner already has recent mails.
            log.LogWarning("Account mail to one address over the hourly limit; not sent");
            return;
        }
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = text } };
        message.To.Add(MailboxAddress.Parse(to));
        try
        {
            await sender.SendAsync(message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The visitor sees the same page either way (it must not reveal whether the address exists); the operator sees the log.
            log.LogError(ex, "Could not send '{Subject}' mail", subject);
        }
    }

    /// <summary>An absolute link to a path of this site: the configured public URL, else the request's own origin.</summary>
    public static string Link(HttpRequest? request, CommunitySettings settings, string pathAndQuery)
    {
        var origin = !string.IsNullOrEmpty(settings.PublicUrl) ? settings.PublicUrl.TrimEnd('/')
            : request is not null ? $"{request.Scheme}://{request.Host}" : "http://localhost:5000";
        return origin + pathAndQuery;
    }
}
