using System.Security.Cryptography;
using System.Text;

namespace DailyPapers.Ingest;

/// <summary>
/// Who may see /admin/harvest and start a harvest: a signed-in member with the admin role, or, on instances run by
/// scripts, whoever presents Harvest:AdminToken (the X-Admin-Token header, or the cookie the page sets once the
/// token was entered). The same rule as the digest admin.
/// </summary>
public static class HarvestAdmin
{
    public const string CookieName = "dp_harvest_admin";
    public const string HeaderName = "X-Admin-Token";

    public static bool IsTokenEnabled(HarvestScheduleOptions o) => !string.IsNullOrEmpty(o.AdminToken);

    public static bool Matches(HarvestScheduleOptions o, string? given) =>
        IsTokenEnabled(o) && given is { Length: > 0 } &&
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(o.AdminToken!)));

    public static bool IsAuthorized(HttpContext http, HarvestScheduleOptions o) =>
        http.User.IsInRole(Community.Roles.Admin) || Matches(o, http.Request.Headers[HeaderName].ToString()) || Matches(o, http.Request.Cookies[CookieName]);
}
