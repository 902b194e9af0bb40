using DailyPapers.Data;
using DailyPapers.Mail;
using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace DailyPapers.Digest;

/// <summary>What a subscriber asks for, as entered in a form.</summary>
public sealed record SubscriptionInput(string? Email, string? Frequency, string? Categories, string? Keywords, string? Authors);

/// <summary>Subscribe with double opt-in, confirm, change preferences, unsubscribe: the state changes of a subscription.</summary>
public static class Subscriptions
{
    /// <summary>
    /// At most one confirmation mail per address in this window, however many requests, nodes or clients ask: the form
    /// must not be a way to flood someone's inbox.
    /// </summary>
    public static readonly TimeSpan ResendGap = TimeSpan.FromMinutes(15);

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Checks a form; returns the errors by field (empty when valid) and the normalized values.</summary>
    public static Dictionary<string, string> Validate(SubscriptionInput input, bool needEmail, out string email, out DigestFrequency frequency, out string categories, out string keywords, out string authors)
    {
        var errors = new Dictionary<string, string>();
        email = NormalizeEmail(input.Email ?? "");
        if (needEmail)
        {
            if (email.Length is 0 or > 254 || email.Any(char.IsControl) || !MailboxAddress.TryParse(email, out var mb) || mb.Address != email || !email.Contains('@'))
                errors["Email"] = "Enter an email address such as ada@example.org.";
        }
        frequency = DigestFrequency.Daily;
        if (input.Frequency is { Length: > 0 } f && !Enum.TryParse(f, true, out frequency) || !Enum.IsDefined(frequency))
            errors["Frequency"] = "Choose daily or weekly.";
        var cats = DigestPapers.SplitCategories(input.Categories ?? "").ToList();
        if (cats.Select(Categories.CodeError).FirstOrDefault(e => e is not null) is { } badCategory)
            errors["Categories"] = badCategory;
        categories = string.Join(' ', cats);
        var kw = DigestPapers.SplitLines(input.Keywords ?? "").ToList();
        var au = DigestPapers.SplitLines(input.Authors ?? "").ToList();
        if (kw.Any(k => k.Length > 100)) errors["Keywords"] = "Keep each keyword query under 100 characters.";
        if (au.Any(a => a.Length > 100)) errors["Authors"] = "Keep each author name under 100 characters.";
        keywords = string.Join('\n', kw);
        authors = string.Join('\n', au);
        return errors;
    }

    /// <summary>
    /// Records the request and mails a confirmation link; returns whether a mail went out. An already confirmed address
    /// gets nothing (and the page says the same, so it reveals nothing), nor does one that was sent a link within
    /// <see cref="ResendGap"/>. The database decides who sends: the row is created with ON CONFLICT DO NOTHING, then
    /// claimed by a conditional UPDATE that only one of any number of simultaneous requests can win.
    /// </summary>
    public static async Task<bool> SubscribeAsync(AppDbContext db, MailSender sender, DigestMail compose, DigestSettings settings,
        string email, DigestFrequency frequency, string categories, string keywords, string authors, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var unconfirmed = nameof(SubscriptionState.Unconfirmed);
        var daily = nameof(DigestFrequency.Daily);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO digest_subscriptions ("Email", "Frequency", "State", "Categories", "Keywords", "Authors", "CreatedAt", "BounceCount")
            VALUES ({email}, {daily}, {unconfirmed}, '', '', '', {now}, 0)
            ON CONFLICT ("Email") DO NOTHING
            """, ct);

        var (token, hash) = DigestLinks.NewToken();
        var expires = now.AddHours(settings.ConfirmTokenHours);
        // A token's issue time is its expiry minus the token lifetime: one issued within the gap has a later expiry than this.
        var lastAllowedExpiry = expires - ResendGap;
        var claimed = await db.Set<Subscription>()
            .Where(s => s.Email == email && s.State != SubscriptionState.Confirmed
                && (s.ConfirmTokenExpiresAt == null || s.ConfirmTokenExpiresAt <= lastAllowedExpiry))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Frequency, frequency).SetProperty(s => s.Categories, categories)
                .SetProperty(s => s.Keywords, keywords).SetProperty(s => s.Authors, authors)
                .SetProperty(s => s.State, SubscriptionState.Unconfirmed)
                .SetProperty(s => s.ConfirmTokenHash, hash).SetProperty(s => s.ConfirmTokenExpiresAt, expires), ct) == 1;
        if (!claimed) return false;
        try
        {
            await sender.SendAsync(compose.Confirmation(email, token), ct);
            return true;
        }
        catch
        {
            // The mail never left: forget the token so that trying again sends at once instead of waiting out the gap.
            await db.Set<Subscription>().Where(s => s.Email == email && s.ConfirmTokenHash == hash)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.ConfirmTokenHash, (string?)null).SetProperty(s => s.ConfirmTokenExpiresAt, (DateTime?)null), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Finds the unexpired subscription a confirmation token belongs to, without using it.</summary>
    public static Task<Subscription?> FindByTokenAsync(AppDbContext db, string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return Task.FromResult<Subscription?>(null);
        var hash = DigestLinks.HashToken(token);
        var now = DateTime.UtcNow;
        return db.Set<Subscription>().FirstOrDefaultAsync(s => s.ConfirmTokenHash == hash && s.ConfirmTokenExpiresAt > now, ct);
    }

    /// <summary>Uses the token once: the subscription becomes confirmed and the token is gone.</summary>
    public static async Task<bool> ConfirmAsync(AppDbContext db, string? token, CancellationToken ct)
    {
        if (await FindByTokenAsync(db, token, ct) is not { } sub) return false;
        var now = DateTime.UtcNow;
        // The hash in the WHERE makes a double submit confirm once; the second finds no row.
        return await db.Set<Subscription>().Where(s => s.Id == sub.Id && s.ConfirmTokenHash == sub.ConfirmTokenHash)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, SubscriptionState.Confirmed).SetProperty(s => s.ConfirmedAt, now)
                .SetProperty(s => s.ConfirmTokenHash, (string?)null).SetProperty(s => s.ConfirmTokenExpiresAt, (DateTime?)null)
                .SetProperty(s => s.BounceCount, 0), ct) == 1;
    }

    public static async Task<bool> UnsubscribeAsync(AppDbContext db, long id, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        return await db.Set<Subscription>().Where(s => s.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, SubscriptionState.Unsubscribed).SetProperty(s => s.UnsubscribedAt, now)
                .SetProperty(s => s.ConfirmTokenHash, (string?)null).SetProperty(s => s.ConfirmTokenExpiresAt, (DateTime?)null), ct) == 1;
    }
}
