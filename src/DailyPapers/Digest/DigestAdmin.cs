using System.Security.Cryptography;
using System.Text;
using DailyPapers.Data;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace DailyPapers.Digest;

/// <summary>
/// Admin access to the digest: a signed-in member with the admin role, or a configured token (Digest:AdminToken)
/// given once on the admin page and then kept in an HttpOnly cookie, or sent as the X-Admin-Token header (for
/// scripts and instances without accounts).
/// </summary>
public static class DigestAdmin
{
    public const string CookieName = "dp_digest_admin";
    public const string HeaderName = "X-Admin-Token";

    public static bool IsEnabled(DigestSettings s) => !string.IsNullOrEmpty(s.AdminToken);

    public static bool Matches(DigestSettings s, string? given) =>
        IsEnabled(s) && given is { Length: > 0 } &&
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(s.AdminToken!)));

    public static bool IsAdminMember(HttpContext http) => http.User.IsInRole(Community.Roles.Admin);

    public static bool IsAuthorized(HttpContext http, DigestSettings s) =>
        IsAdminMember(http) || Matches(s, http.Request.Headers[HeaderName].ToString()) || Matches(s, http.Request.Cookies[CookieName]);

    /// <summary>The next digest as one subscriber (or, without an address, a subscriber with no preferences) would receive it.</summary>
    public static async Task<MimeMessage?> PreviewAsync(AppDbContext db, DigestMail compose, DigestSettings settings, string? email, DigestFrequency frequency, CancellationToken ct)
    {
        var latest = await Papers.PaperLists.LatestDayAsync(db, ct);
        if (latest is null) return null;
        var edition = await DigestPapers.EditionAsync(db, frequency, latest.Value, settings.TopPapers, ct);
        if (edition.Top.Count == 0) return null;
        var sub = new Subscription { Id = 0, Email = "preview@example.org", Frequency = frequency };
        if (!string.IsNullOrWhiteSpace(email))
        {
            var normalized = Subscriptions.NormalizeEmail(email);
            sub = await db.Set<Subscription>().FirstOrDefaultAsync(s => s.Email == normalized, ct);
            if (sub is null) return null;
        }
        var matches = sub.HasPreferences
            ? await DigestPapers.MatchesAsync(db, edition.Period, sub, edition.Top.Select(p => p.Id).ToHashSet(), settings.MatchedPapers, ct)
            : [];
        return compose.Digest(edition, new DigestRecipient(sub.Id, sub.Email), matches);
    }
}
