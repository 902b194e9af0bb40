using System.Reflection;
using Microsoft.AspNetCore.Identity;

namespace DailyPapers.Community;

/// <summary>
/// NIST SP 800-63B style password rules: 8 to 128 characters, no composition rules, and no password from a
/// list of commonly used ones: CommonPasswords.txt, embedded, hand-compiled from the top of public breach lists
/// (NCSC "PwnedPasswordsTop100k", SecLists "10k-most-common"); only entries of 8 or more characters, since
/// shorter ones fail the length rule anyway.
/// </summary>
public sealed class PasswordRules : IPasswordValidator<AppUser>
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    private static readonly Lazy<HashSet<string>> Common = new(LoadCommon);

    public Task<IdentityResult> ValidateAsync(UserManager<AppUser> manager, AppUser user, string? password) =>
        Task.FromResult(Check(password, user.Email) is { } error
            ? IdentityResult.Failed(new IdentityError { Code = "PasswordRejected", Description = error })
            : IdentityResult.Success);

    /// <summary>Null when acceptable, otherwise a sentence saying why not.</summary>
    public static string? Check(string? password, string? email = null)
    {
        password ??= "";
        if (password.Length < MinLength) return $"Use at least {MinLength} characters.";
        if (password.Length > MaxLength) return $"Use at most {MaxLength} characters.";
        if (IsCommon(password)) return "That password is one of the most commonly used ones; choose another.";
        if (email is not null && string.Equals(password, email, StringComparison.OrdinalIgnoreCase)) return "Don't use your email address as the password.";
        return null;
    }

    public static bool IsCommon(string password) => Common.Value.Contains(password.ToLowerInvariant());

    private static HashSet<string> LoadCommon()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DailyPapers.Community.CommonPasswords.txt")
            ?? throw new InvalidOperationException("CommonPasswords.txt is not embedded");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && line[0] != '#') set.Add(line.Trim().ToLowerInvariant());
        return set;
    }
}
