using System.Text;
using DailyPapers.Data;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Library;

/// <summary>Following authors and categories; a follow is a row, unique per member, kind and normalised key.</summary>
public static class Follows
{
    /// <summary>Per member; a reader who follows more than this is better served by a saved search.</summary>
    public const int MaxFollows = 500;

    /// <summary>
    /// An author name for matching: accents folded, lower case, dots and commas dropped, spaces collapsed
    /// ("Müller, J." and "muller j" are one key). Initials stay initials: "Y. Bengio" is not "Yoshua Bengio".
    /// </summary>
    public static string AuthorKey(string name)
    {
        var sb = new StringBuilder(name.Length);
        bool space = false;
        foreach (var r in name.Trim().EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(r) || r.Value is '.' or ',' or '-' or '\u00A0')
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) { sb.Append(' '); space = false; }
            var folded = new StringBuilder();
            Search.AccentFolding.Append(Rune.ToLowerInvariant(r), folded);
            sb.Append(folded);
        }
        return sb.ToString();
    }

    /// <summary>Checks a follow target; returns the key and display form, or an error.</summary>
    public static (string Key, string Display, string? Error) Normalise(FollowKind kind, string? value)
    {
        var v = (value ?? "").Trim();
        if (v.Length == 0) return ("", "", kind == FollowKind.Author ? "Name the author to follow." : "Name the category to follow, such as cs.CL or cs.");
        if (v.Length > 200 || v.Any(char.IsControl)) return ("", "", "That is not a name or category one can follow (at most 200 characters, no control characters).");
        if (kind == FollowKind.Category)
        {
            if (v.Length > 32 || v.Any(char.IsWhiteSpace)) return ("", "", $"'{v}' is not a category: use a code such as cs.CL or an archive such as cs.");
            return (v, v, null);
        }
        var key = AuthorKey(v);
        return key.Length == 0 ? ("", "", "Name the author to follow.") : (key, v, null);
    }

    public static Task<List<Follow>> ListAsync(AppDbContext db, string userId, CancellationToken ct) =>
        db.Set<Follow>().Where(f => f.UserId == userId).OrderBy(f => f.Kind).ThenBy(f => f.Display).ToListAsync(ct);

    /// <summary>Follows or unfollows (idempotent); returns an error message or null.</summary>
    public static async Task<string?> SetAsync(AppDbContext db, string userId, FollowKind kind, string? value, bool on, CancellationToken ct)
    {
        var (key, display, error) = Normalise(kind, value);
        if (error is not null) return error;
        if (!on)
        {
            await db.Set<Follow>().Where(f => f.UserId == userId && f.Kind == kind && f.Key == key).ExecuteDeleteAsync(ct);
            return null;
        }
        if (await db.Set<Follow>().AnyAsync(f => f.UserId == userId && f.Kind == kind && f.Key == key, ct)) return null;
        if (await db.Set<Follow>().CountAsync(f => f.UserId == userId, ct) >= MaxFollows) return $"You follow {MaxFollows} authors and categories, the most one member can; unfollow some first.";
        db.Add(new Follow { UserId = userId, Kind = kind, Key = key, Display = display, CreatedAt = DateTime.UtcNow });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { db.ChangeTracker.Clear(); } // followed at the same moment by another request: the row is there
        return null;
    }

    public static Task<bool> IsFollowingAsync(AppDbContext db, string userId, FollowKind kind, string value, CancellationToken ct)
    {
        var key = kind == FollowKind.Author ? AuthorKey(value) : value.Trim();
        return db.Set<Follow>().AnyAsync(f => f.UserId == userId && f.Kind == kind && f.Key == key, ct);
    }
}

/// <summary>"Not interested" marks: set, clear, list.</summary>
public static class Feedback
{
    public static async Task SetNotInterestedAsync(AppDbContext db, string userId, long paperId, bool on, CancellationToken ct)
    {
        if (on)
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO not_interested (\"UserId\", \"PaperId\", \"CreatedAt\") VALUES ({userId}, {paperId}, {DateTime.UtcNow}) ON CONFLICT DO NOTHING", ct);
        else
            await db.Set<NotInterested>().Where(n => n.UserId == userId && n.PaperId == paperId).ExecuteDeleteAsync(ct);
    }

    public static Task<List<long>> NotInterestedAsync(AppDbContext db, string userId, CancellationToken ct) =>
        db.Set<NotInterested>().Where(n => n.UserId == userId).Select(n => n.PaperId).ToListAsync(ct);
}

/// <summary>A follow button's state.</summary>
public sealed record FollowState(FollowKind Kind, string Name, bool Following);
