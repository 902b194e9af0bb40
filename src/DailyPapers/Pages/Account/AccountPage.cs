using System.Text;
using DailyPapers.Community;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace DailyPapers.Pages.Account;

/// <summary>What the account pages share: a message to show, token encoding for links, safe return URLs.</summary>
public abstract class AccountPage : PageModel
{
    public List<string> Errors { get; } = [];
    public string? Notice { get; protected set; }

    public static string EncodeToken(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    public static string? DecodeToken(string? code)
    {
        if (string.IsNullOrEmpty(code)) return null;
        try { return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code)); }
        catch (FormatException) { return null; }
    }

    /// <summary>Only paths on this site: an absolute or protocol-relative URL would make us an open redirect.</summary>
    public static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 } r && r[0] == '/' && (r.Length == 1 || r[1] != '/' && r[1] != '\\') ? r : "/";

    public static string ConfirmPath(string userId, string token) => $"/account/confirm?user={Uri.EscapeDataString(userId)}&code={EncodeToken(token)}";
    public static string ResetPath(string email, string token) => $"/account/reset?email={Uri.EscapeDataString(email)}&code={EncodeToken(token)}";

    protected string ClientAddress => CommunitySetup.ClientAddress(HttpContext);
}
