using System.Security.Cryptography;
using DailyPapers.Data;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Library;

/// <summary>One saved paper as pages and the API show it.</summary>
public sealed record SavedItem(long PaperId, string ArxivId, string Title, string Authors, string? Note, DateTime? ReadAt, DateTime AddedAt);

/// <summary>
/// A member's collections: the one write path for pages, the API and the BibTeX import. Every operation takes the
/// member's id and touches only their rows, so "not yours" and "not there" look the same (404) to a caller.
/// </summary>
public static class Collections
{
    public const string ReadingList = "Reading list";
    /// <summary>Per member: enough for any real library, small enough that a script can't fill the database.</summary>
    public const int MaxCollections = 200, MaxItems = 20_000;

    /// <summary>An unguessable URL part: 128 random bits, base64url.</summary>
    public static string NewSecret(int bytes = 16) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Task<List<Collection>> ListAsync(AppDbContext db, string userId, CancellationToken ct) =>
        db.Set<Collection>().Where(c => c.UserId == userId).OrderByDescending(c => c.IsDefault).ThenBy(c => c.Name).ToListAsync(ct);

    public static Task<Collection?> OwnedAsync(AppDbContext db, string userId, long id, CancellationToken ct) =>
        db.Set<Collection>().FirstOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct);

    /// <summary>The member's Reading list, made on first use (a concurrent first save finds the other's row).</summary>
    public static async Task<Collection> ReadingListAsync(AppDbContext db, string userId, CancellationToken ct)
    {
        if (await db.Set<Collection>().FirstOrDefaultAsync(c => c.UserId == userId && c.IsDefault, ct) is { } found) return found;
        var made = new Collection { UserId = userId, Name = ReadingList, IsDefault = true, ShareSlug = NewSecret(), CreatedAt = DateTime.UtcNow };
        db.Add(made);
        try
        {
            await db.SaveChangesAsync(ct);
            return made;
        }
        catch (DbUpdateException)
        {
            db.Entry(made).State = EntityState.Detached;
            return await db.Set<Collection>().FirstAsync(c => c.UserId == userId && c.Name == ReadingList, ct);
        }
    }

    /// <summary>Checks a collection name; null when it is fine.</summary>
    public static string? NameProblem(string? name)
    {
        var n = name?.Trim() ?? "";
        if (n.Length == 0) return "Give the collection a name.";
        if (n.Length > Collection.MaxName) return $"A collection name has at most {Collection.MaxName} characters; that one has {n.Length}.";
        if (n.Any(char.IsControl)) return "A collection name can't contain control characters.";
        return null;
    }

    public static async Task<(Collection? Collection, string? Error)> CreateAsync(AppDbContext db, string userId, string? name, bool isPublic, CancellationToken ct)
    {
        if (NameProblem(name) is { } bad) return (null, bad);
        var n = name!.Trim();
        if (await db.Set<Collection>().CountAsync(c => c.UserId == userId, ct) >= MaxCollections)
            return (null, $"You have {MaxCollections} collections, the most one member can have; delete one first.");
        if (await db.Set<Collection>().AnyAsync(c => c.UserId == userId && c.Name == n, ct)) return (null, $"You already have a collection called “{n}”.");
        var c = new Collection { UserId = userId, Name = n, IsDefault = n == ReadingList, IsPublic = isPublic, ShareSlug = NewSecret(), CreatedAt = DateTime.UtcNow };
        db.Add(c);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { db.Entry(c).State = EntityState.Detached; return (null, $"You already have a collection called “{n}”."); }
        return (c, null);
    }

    /// <summary>Renames or makes public/private; returns an error message or null.</summary>
    public static async Task<string?> UpdateAsync(AppDbContext db, Collection c, string? name, bool? isPublic, CancellationToken ct)
    {
        if (name is not null)
        {
            if (NameProblem(name) is { } bad) return bad;
            var n = name.Trim();
            if (n != c.Name && await db.Set<Collection>().AnyAsync(x => x.UserId == c.UserId && x.Name == n, ct)) return $"You already have a collection called “{n}”.";
            if (c.IsDefault && n != c.Name) return "The Reading list keeps its name.";
            c.Name = n;
        }
        if (isPublic is { } p) c.IsPublic = p;
        await db.SaveChangesAsync(ct);
        return null;
    }

    public static Task<int> DeleteAsync(AppDbContext db, string userId, long id, CancellationToken ct) =>
        db.Set<Collection>().Where(c => c.Id == id && c.UserId == userId).ExecuteDeleteAsync(ct);

    /// <summary>Adds a paper (idempotent); false when the member's library is full.</summary>
    public static async Task<bool> AddAsync(AppDbContext db, Collection c, long paperId, CancellationToken ct)
    {
        if (await db.Set<CollectionItem>().AnyAsync(i => i.CollectionId == c.Id && i.PaperId == paperId, ct)) return true;
        if (await ItemCountAsync(db, c.UserId, ct) >= MaxItems) return false;
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO collection_items (\"CollectionId\", \"PaperId\", \"AddedAt\") VALUES ({c.Id}, {paperId}, {DateTime.UtcNow}) ON CONFLICT DO NOTHING", ct);
        return true;
    }

    public static Task<int> ItemCountAsync(AppDbContext db, string userId, CancellationToken ct) =>
        db.Set<CollectionItem>().CountAsync(i => db.Set<Collection>().Any(c => c.Id == i.CollectionId && c.UserId == userId), ct);

    public static Task<int> RemoveAsync(AppDbContext db, long collectionId, long paperId, CancellationToken ct) =>
        db.Set<CollectionItem>().Where(i => i.CollectionId == collectionId && i.PaperId == paperId).ExecuteDeleteAsync(ct);

    /// <summary>Sets the note (empty clears it) and/or the read mark of an item; 0 when the paper is not in the collection.</summary>
    public static async Task<int> UpdateItemAsync(AppDbContext db, long collectionId, long paperId, string? note, bool? read, CancellationToken ct)
    {
        var item = await db.Set<CollectionItem>().FirstOrDefaultAsync(i => i.CollectionId == collectionId && i.PaperId == paperId, ct);
        if (item is null) return 0;
        if (note is not null) item.Note = note.Trim().Length == 0 ? null : note.Trim();
        if (read is { } r) item.ReadAt = r ? item.ReadAt ?? DateTime.UtcNow : null;
        await db.SaveChangesAsync(ct);
        return 1;
    }

    public static string? NoteProblem(string? note) =>
        note is { Length: > CollectionItem.MaxNote } ? $"A note has at most {CollectionItem.MaxNote:N0} characters; that one has {note.Length:N0}." : null;

    public static Task<List<SavedItem>> ItemsAsync(AppDbContext db, long collectionId, CancellationToken ct) =>
        (from i in db.Set<CollectionItem>()
         join p in db.Papers on i.PaperId equals p.Id
         where i.CollectionId == collectionId
         orderby i.AddedAt descending, p.Id descending
         select new SavedItem(p.Id, p.ArxivId, p.Title, p.Authors, i.Note, i.ReadAt, i.AddedAt)).ToListAsync(ct);

    /// <summary>Which of <paramref name="paperIds"/> the member has in any collection.</summary>
    public static async Task<HashSet<long>> SavedAmongAsync(AppDbContext db, string userId, IReadOnlyCollection<long> paperIds, CancellationToken ct) =>
        (await db.Set<CollectionItem>().Where(i => paperIds.Contains(i.PaperId) && db.Set<Collection>().Any(c => c.Id == i.CollectionId && c.UserId == userId))
            .Select(i => i.PaperId).Distinct().ToListAsync(ct)).ToHashSet();

    /// <summary>Every paper in any of the member's collections: the recommender's library positives.</summary>
    public static Task<List<long>> AllSavedAsync(AppDbContext db, string userId, CancellationToken ct) =>
        db.Set<CollectionItem>().Where(i => db.Set<Collection>().Any(c => c.Id == i.CollectionId && c.UserId == userId))
            .Select(i => i.PaperId).Distinct().ToListAsync(ct);
}

/// <summary>A card's library state for the signed-in member.</summary>
public sealed record CardActions(long PaperId, string ArxivId, bool Saved, bool NotInterested);
