using System.Security.Cryptography;
using System.Text;
using DailyPapers.Settings;
using Microsoft.Extensions.Options;

namespace DailyPapers.Admin;

/// <summary>Admin settings (section <c>Admin</c>).</summary>
public sealed class AdminSettings : ISettingsSection
{
    public const string Section = "Admin";
    static string ISettingsSection.Section => Section;

    /// <summary>
    /// An operator token for instances run by scripts or without admin accounts: sent as X-Admin-Token, or entered
    /// once on any admin page (kept in an HttpOnly cookie). Empty: admin accounts only.
    /// </summary>
    public string? Token { get; set; }
}

/// <summary>The per-page tokens that came before <see cref="AdminSettings.Token"/>: set, they stop the start with the new name rather than lock the operator out.</summary>
internal sealed class RetiredAdminTokens(IConfiguration config) : IValidateOptions<AdminSettings>
{
    public static readonly string[] Keys = ["Harvest:AdminToken", "Digest:AdminToken"];

    public ValidateOptionsResult Validate(string? name, AdminSettings options)
    {
        var set = Keys.Where(k => !string.IsNullOrEmpty(config[k])).ToList();
        return set.Count == 0 ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{string.Join(" and ", set)} is now the one operator token Admin:Token: rename the setting");
    }
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

    private readonly byte[]? _tokenHash;

    public AdminAccess(IOptions<AdminSettings> admin)
    {
        _tokenHash = string.IsNullOrEmpty(admin.Value.Token) ? null : Hash(admin.Value.Token);
    }

    public bool TokenEnabled => _tokenHash is not null;

    /// <summary>Compares hashes in constant time, so neither the token nor its length leaks through timing.</summary>
    public bool Matches(string? given) =>
        given is { Length: > 0 } && _tokenHash is not null && CryptographicOperations.FixedTimeEquals(Hash(given), _tokenHash);

    public static bool IsAdminMember(HttpContext http) => http.User.IsInRole(Community.Roles.Admin);

    public bool IsAdmin(HttpContext http)
    {
        if (IsAdminMember(http)) return true;
        if (!TokenEnabled) return false;
        return Matches(http.Request.Headers[HeaderName].ToString()) || Matches(http.Request.Cookies[CookieName]);
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
