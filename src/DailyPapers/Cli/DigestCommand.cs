using System.CommandLine;
using System.Globalization;
using DailyPapers.Digest;
using DailyPapers.Papers;
using DailyPapers.Web;

namespace DailyPapers.Cli;

internal static class DigestCommand
{
    public static Command Create()
    {
        var frequency = new Option<string>("--frequency") { Description = "daily or weekly", DefaultValueFactory = _ => "daily" };
        frequency.AcceptOnlyFromAmong("daily", "weekly");
        var date = new Option<string?>("--date") { Description = "A day in the edition's period, YYYY-MM-DD (default: the latest listing day)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Write the messages as .eml files instead of sending; records nothing" };
        var output = new Option<string?>("--out") { Description = "Folder for --dry-run (default DATA_DIR/digest-dry-run)" };
        var send = new Command("send", "Send a digest edition to every confirmed subscriber; resumes an interrupted run, does nothing for a completed one.")
        {
            frequency, date, dryRun, output,
        };
        send.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            DateOnly? day = null;
            if (p.GetValue(date) is { } d)
            {
                if (!ListPeriod.TryParseDay(d, out var parsed))
                    throw new CliException($"'{d}' is not a date: use YYYY-MM-DD, e.g. 2019-12-02.");
                day = parsed;
            }
            var f = p.GetValue(frequency) == "weekly" ? DigestFrequency.Weekly : DigestFrequency.Daily;
            string? dir = p.GetValue(dryRun) ? Path.GetFullPath(p.GetValue(output) ?? Path.Combine(db.DataDir, "digest-dry-run")) : null;
            await ServerApp.MigrateAsync(db, ct);
            using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
                .AddFilter("Microsoft", LogLevel.Warning));
            DigestRunner runner;
            runner = DigestSetup.ForCli(db, CliApp.Configuration(p), logs);
            var result = await runner.SendAsync(new DigestRequest(f, day, dir), ct);
            Console.WriteLine(result.ToString());
            if (dir is not null) Console.WriteLine($"written to: {dir}");
            return result.Outcome switch
            {
                DigestOutcome.Incomplete => 3,
                DigestOutcome.Busy => 4,
                _ => 0,
            };
        });
        return new Command("digest", "Email digests of trending papers.") { send };
    }
}
