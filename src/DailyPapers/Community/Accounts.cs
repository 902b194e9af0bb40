using Microsoft.AspNetCore.Identity;

namespace DailyPapers.Community;

public sealed record AdminResult(string Email, bool Created, string? ResetToken);

/// <summary>Account operations shared by the CLI and tests.</summary>
public static class Accounts
{
    /// <summary>
    /// Creates a confirmed admin (or promotes an existing account). With a password, sets it; without,
    /// returns a password-reset token: the link made from it works once, since a reset changes the security stamp.
    /// </summary>
    public static async Task<AdminResult> CreateAdminAsync(IServiceProvider sp, string email, string? password)
    {
        var users = sp.GetRequiredService<UserManager<AppUser>>();
        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        email = email.Trim();
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _)) throw new Cli.CliException($"'{email}' is not an email address.");
        foreach (var role in new[] { Roles.Admin, Roles.Moderator })
            if (!await roles.RoleExistsAsync(role)) Check(await roles.CreateAsync(new IdentityRole(role)));

        var user = await users.FindByEmailAsync(email);
        bool created = user is null;
        if (user is null)
        {
            var name = DisplayNames.Check(email.Split('@')[0], out var local) is null ? local : "admin";
            user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
            Check(password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password));
        }
        else if (password is not null)
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            Check(await users.ResetPasswordAsync(user, token, password));
        }
        // One instance throughout: the app's contexts don't track queries, and Identity attaches the instance it is given.
        if (!await users.IsInRoleAsync(user, Roles.Admin)) Check(await users.AddToRoleAsync(user, Roles.Admin));
        if (!user.EmailConfirmed)
        {
            user.EmailConfirmed = true;
            Check(await users.UpdateAsync(user));
        }
        var reset = password is null ? await users.GeneratePasswordResetTokenAsync(user) : null;
        return new AdminResult(email, created, reset);
    }

    public static async Task AddRoleAsync(IServiceProvider sp, string email, string role)
    {
        var users = sp.GetRequiredService<UserManager<AppUser>>();
        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        var user = await users.FindByEmailAsync(email.Trim()) ?? throw new Cli.CliException($"There is no account for {email}.");
        if (!await roles.RoleExistsAsync(role)) Check(await roles.CreateAsync(new IdentityRole(role)));
        if (!await users.IsInRoleAsync(user, role)) Check(await users.AddToRoleAsync(user, role));
    }

    private static void Check(IdentityResult r)
    {
        if (!r.Succeeded) throw new Cli.CliException(string.Join(" ", r.Errors.Select(e => e.Description)));
    }
}
