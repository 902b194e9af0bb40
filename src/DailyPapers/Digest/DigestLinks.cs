using System.Security.Cryptography;
using System.Text;
using DailyPapers.Data;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace DailyPapers.Digest;

/// <summary>Absolute links in mail, and the HMAC signatures that let a link act for one subscription without a login.</summary>
public sealed class DigestLinks
{
    public const string KeyFileName = "digest-signing.key";
    private readonly byte[] _key;
    private readonly Uri _base;

    public DigestLinks(IOptions<DigestSettings> options, DatabaseSettings db)
    {
        _base = options.Value.BaseUri;
        _key = options.Value.SigningKey is { Length: > 0 } k ? Convert.FromBase64String(k) : LoadOrCreateKey(db.DataDir);
        if (_key.Length < 32) throw new InvalidOperationException("Digest:SigningKey must be at least 32 bytes (base64).");
    }

    public Uri BaseUri => _base;
    public string Host => _base.Host;

    public string Absolute(string path) => new Uri(_base, path.TrimStart('/')).ToString();
    public string PaperUrl(string arxivId) => Absolute("papers/" + arxivId);
    public string PreferencesUrl(long id) => Absolute($"digest/preferences/{id}/{Sign("prefs", id)}");
    public string UnsubscribeUrl(long id) => Absolute($"digest/unsubscribe/{id}/{Sign("unsub", id)}");
    public string ConfirmUrl(string token) => Absolute("digest/confirm?token=" + Uri.EscapeDataString(token));

    public string Sign(string purpose, long id)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{purpose}:{id}"));
        return WebEncoders.Base64UrlEncode(mac);
    }

    public bool Verify(string purpose, long id, string? signature)
    {
        if (string.IsNullOrEmpty(signature)) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(purpose, id));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>A new confirmation token (256 random bits) and the hash that is stored instead of it.</summary>
    public static (string Token, string Hash) NewToken()
    {
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (token, HashToken(token));
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static byte[] LoadOrCreateKey(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, KeyFileName);
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            // CreateNew: when two processes start at once, the second reads the first one's key.
            using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            f.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            Thread.Sleep(50);
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
    }
}
