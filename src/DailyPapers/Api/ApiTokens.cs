using System.Security.Cryptography;
using System.Text;
using DailyPapers.Data;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Api;

/// <summary>Creating, finding and revoking personal API tokens: the one place that knows how secrets are made and stored.</summary>
public static class ApiTokens
{
    public const string SecretPrefix = "dp_";
    public const int MaxNameLength = 100;

    /// <summary>Creates a token and returns it with its secret, which is not stored and cannot be shown again.</summary>
    public static async Task<(ApiToken Token, string Secret)> CreateAsync(AppDbContext db, string userId, string name, ApiScope scope, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        name = Ingest.Text.Squash(name);
        if (name.Length is 0 or > MaxNameLength) throw new ArgumentException($"A token needs a name of 1 to {MaxNameLength} characters.", nameof(name));
        // 32 random bytes: guessing is hopeless, so a fast hash (not a password KDF) is the right way to store it.
        var secret = SecretPrefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            UserId = userId,
            Name = name,
            Prefix = secret[..10],
            TokenHash = Hash(secret),
            Scope = scope,
            CreatedAt = DateTime.UtcNow,
        };
        db.Add(token);
        await db.SaveChangesAsync(ct);
        db.Entry(token).State = EntityState.Detached;
        return (token, secret);
    }

    /// <summary>The active token with this secret, or null.</summary>
    public static Task<ApiToken?> FindActiveAsync(AppDbContext db, string secret, CancellationToken ct = default)
    {
        var hash = Hash(secret);
        return db.Set<ApiToken>().AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash && t.RevokedAt == null, ct);
    }

    /// <summary>Revokes one of the user's tokens; false when the user has no such active token.</summary>
    public static async Task<bool> RevokeAsync(AppDbContext db, string userId, long tokenId, CancellationToken ct = default) =>
        await db.Set<ApiToken>().Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, DateTime.UtcNow), ct) > 0;

    public static Task<List<ApiToken>> ListAsync(AppDbContext db, string userId, CancellationToken ct = default) =>
        db.Set<ApiToken>().AsNoTracking().Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).ToListAsync(ct);

    /// <summary>Records use at most every few minutes, so reading the API does not write on every request.</summary>
    public static async Task TouchAsync(AppDbContext db, ApiToken token, CancellationToken ct = default)
    {
        var now = DateTime.UtcNow;
        if (token.LastUsedAt is { } last && now - last < TimeSpan.FromMinutes(5)) return;
        await db.Set<ApiToken>().Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
