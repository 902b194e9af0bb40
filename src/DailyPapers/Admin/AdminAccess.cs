using System.Security.Cryptography;
using System.Text;
using DailyPapers.Digest;
using DailyPapers.Ingest;
using Microsoft.Extensions.Options;

namespace DailyPapers.Admin;

/// <summary>Admin settings (section <c>Admin</c>).</summary>
public sealed class AdminSettings
{
    public const string Section = "Admin";

    /// <summary>
    /// An operator token for instances run by scripts or without admin accounts: sent as X-Admin-Token, or entered
    /// once on any admin page (kept in an HttpOnly cookie). Empty: admin accounts only. Harvest:AdminToken and
    /// Digest:AdminToken, the older per-page settings, are accepted as aliases.
    /// </summary>
    public string? Token { get; set; }
}

/// <summary>What the admin rule says about one request.</summary>
public enum AdminVerdict
{
    Allowed,
    /// <summary>Anonymous, and a token is configured: show the token form.</summary>
    TokenForm,
    /// <summary>Anonymous, no token configured: the login page.</summary>
    Login,
    /// <summary>Signed in without the admin role: 403.</summary>
    Forbidden,
}

/// <summary>
/// The one admin rule for every admin page, endpoint and API: a signed-in member with the admin role, or whoever
/// presents a configured operator token (header or cookie).
/// </summary>
public sealed class AdminAccess
{
    public const string HeaderName = "X-Admin-Token";
    public const string CookieName = "dp_admin";

    /// <summary>Cookies set by the harvest and digest pages before there was one rule; still honoured until they expire.</summary>
    private static readonly string[] OlderCookies = ["dp_harvest_admin", "dp_digest_admin"];

    private readonly byte[][] _tokenHashes;

    public AdminAccess(IOptions<AdminSettings> admin, IOptions<HarvestSettings> harvest, IOptions<DigestSettings> digest)
    {
        _tokenHashes = new[] { admin.Value.Token, harvest.Value.AdminToken, digest.Value.AdminToken }
            .Where(t => !string.IsNullOrEmpty(t)).Distinct().Select(t => Hash(t!)).ToArray();
    }

    public bool TokenEnabled => _tokenHashes.Length > 0;

    /// <summary>Compares hashes in constant time, so neither the token nor its length leaks through timing.</summary>
    public bool Matches(string? given)
    {
        if (given is not { Length: > 0 } || _tokenHashes.Length == 0) return false;
        var h = Hash(given);
        bool any = false;
        foreach (var t in _tokenHashes) any |= CryptographicOperations.FixedTimeEquals(h, t);
        return any;
    }

    public static bool IsAdminMember(HttpContext http) => http.User.IsInRole(Community.Roles.Admin);

    public bool IsAdmin(HttpContext http)
    {
        if (IsAdminMember(http)) return true;
        if (!TokenEnabled) return false;
        if (Matches(http.Request.Headers[HeaderName].ToString()) || Matches(http.Request.Cookies[CookieName])) return true;
        foreach (var c in OlderCookies)
            if (Matches(http.Request.Cookies[c])) return true;
        return false;
    }

    public AdminVerdict Check(HttpContext http) =>
        IsAdmin(http) ? AdminVerdict.Allowed
        : http.User.Identity?.IsAuthenticated == true ? AdminVerdict.Forbidden
        : TokenEnabled ? AdminVerdict.TokenForm
        : AdminVerdict.Login;

    /// <summary>Keeps a token entered on an admin page for 12 hours, sent only to /admin.</summary>
    public static void Remember(HttpResponse response, string token) =>
        response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = response.HttpContext.Request.IsHttps, Path = "/admin", MaxAge = TimeSpan.FromHours(12),
        });

    private static byte[] Hash(string s) => SHA256.HashData(Encoding.UTF8.GetBytes(s));
}
