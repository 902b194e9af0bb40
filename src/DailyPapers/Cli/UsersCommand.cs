using System.CommandLine;
using DailyPapers.Community;
using DailyPapers.Pages.Account;
using DailyPapers.Settings;
using DailyPapers.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DailyPapers.Cli;

/// <summary><c>dailypapers users create-admin EMAIL [--password-stdin]</c>.</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var email = new Argument<string>("EMAIL") { Description = "The admin's email address (also the login)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };
        var publicUrl = new Option<string?>("--public-url") { Description = "Site address for the set-password link (default: Community:PublicUrl, else http://localhost:5000)" };
        var createAdmin = new Command("create-admin", "Create an admin account (or make an existing account admin). Without --password-stdin, prints a one-time link to set the password.")
        {
            email, passwordStdin, publicUrl,
        };
        createAdmin.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            string? password = null;
            if (p.GetValue(passwordStdin))
            {
                // Reads what is piped in; never prompts on its own.
                password = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
                if (string.IsNullOrEmpty(password)) throw new CliException("--password-stdin: standard input was empty.");
                if (PasswordRules.Check(password, p.GetValue(email)) is { } problem) throw new CliException(problem);
            }
            await ServerApp.MigrateAsync(db, ct);
            await using var sp = AccountServices(db, CliApp.Configuration(p));
            await using var scope = sp.CreateAsyncScope();
            var settings = scope.ServiceProvider.GetRequiredService<IOptions<CommunitySettings>>().Value;
            if (p.GetValue(publicUrl) is { } url) settings.PublicUrl = url;
            var result = await Accounts.CreateAdminAsync(scope.ServiceProvider, p.GetValue(email)!, password);
            Console.WriteLine(result.Created ? $"Created admin {result.Email}." : $"{result.Email} already had an account; it is now an admin.");
            if (result.ResetToken is { } token)
                Console.WriteLine($"Set the password (the link works once): {AccountMail.Link(null, settings, AccountPage.ResetPath(result.Email, token))}");
            return 0;
        });
        var roleEmail = new Argument<string>("EMAIL") { Description = "The member's email address" };
        var role = new Argument<string>("ROLE") { Description = "moderator or admin" };
        role.AcceptOnlyFromAmong(Roles.Moderator, Roles.Admin);
        var addRole = new Command("add-role", "Give an existing member a role (moderator or admin).") { roleEmail, role };
        addRole.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            await ServerApp.MigrateAsync(db, ct);
            await using var sp = AccountServices(db, CliApp.Configuration(p));
            await using var scope = sp.CreateAsyncScope();
            await Accounts.AddRoleAsync(scope.ServiceProvider, p.GetValue(roleEmail)!, p.GetValue(role)!);
            Console.WriteLine($"{p.GetValue(roleEmail)} is now {p.GetValue(role)}.");
            return 0;
        });
        return new Command("users", "Manage accounts.") { createAdmin, addRole };
    }

    private static ServiceProvider AccountServices(Data.DatabaseSettings db, IConfiguration config)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(config);
        services.AddSingleton(db);
        db.AddTo(services);
        services.AddSettings<CommunitySettings>();
        CommunitySetup.AddAccountStores(services, db, identityCore: true);
        return services.BuildServiceProvider();
    }
}
