using System.CommandLine;
using DailyPapers.Web;

namespace DailyPapers.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on (default http://localhost:5000)" };
        var cmd = new Command("serve", "Run the web server (migrates the database first).") { urls };
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            await ServerApp.MigrateAsync(db, ct);
            var args = p.GetValue(urls) is { } u ? new[] { "--urls", u } : [];
            var app = ServerApp.Create(db, args, settings: CliApp.CommandLineSettings(p).ToList());
            await app.RunAsync();
            return 0;
        });
        return cmd;
    }
}
