using DailyPapers.Data;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace DailyPapers.Digest;

/// <summary>What the digest admin shows beyond its run history (access is <see cref="Admin.AdminAccess"/>).</summary>
public static class DigestAdmin
{
    /// <summary>The next digest as one subscriber (or, without an address, a subscriber with no preferences) would receive it.</summary>
    public static async Task<MimeMessage?> PreviewAsync(AppDbContext db, DigestMail compose, DigestSettings settings, Search.SearchEngine? searchEngine, string? email, DigestFrequency frequency, CancellationToken ct)
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
        var topIds = edition.Top.Select(p => p.Id).ToHashSet();
        var search = searchEngine is null ? null : new Search.PaperSearch(searchEngine, db);
        var matches = sub.Id != 0 && await DigestPapers.ForMemberAsync(db, search, edition.Period, sub, topIds, settings.MatchedPapers, ct) is { } personal
            ? personal
            : sub.HasPreferences ? await DigestPapers.MatchesAsync(db, edition.Period, sub, topIds, settings.MatchedPapers, ct) : [];
        return compose.Digest(edition, new DigestRecipient(sub.Id, sub.Email), matches);
    }
}
