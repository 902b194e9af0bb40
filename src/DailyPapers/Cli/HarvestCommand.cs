using System.CommandLine;
using System.Globalization;
using DailyPapers.Ingest;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.Extensions.Configuration;

namespace DailyPapers.Cli;

internal static class HarvestCommand
{
    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "oai (OAI-PMH), api (arXiv API back-fill) or rss (today's announcements)", Required = true };
        source.AcceptOnlyFromAmong(HarvestRequest.Sources);
        var set = new Option<string?>("--set") { Description = "OAI set (cs, physics:hep-th) or category (cs.LG) for api and rss" };
        var from = new Option<string?>("--from") { Description = "First datestamp or submission day, YYYY-MM-DD (default: where the last harvest ended)" };
        var until = new Option<string?>("--until") { Description = "Last day, YYYY-MM-DD (default: open-ended)" };
        var baseUrl = new Option<string?>("--base-url") { Description = "Point the source at another server (a mirror, or a local stub in tests)" };
        var cmd = new Command("harvest", "Fetch new and updated papers from arXiv, politely (one request every 3 s), resuming an interrupted harvest.")
            { source, set, from, until, baseUrl };
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            var options = LoadOptions();
            var src = p.GetValue(source)!;
            if (p.GetValue(baseUrl) is { } url)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
                    throw new CliException($"--base-url must be an http(s) URL, not '{url}'");
                switch (src)
                {
                    case "oai": options.OaiBaseUrl = url; break;
                    case "api": options.ApiBaseUrl = url; break;
                    case "rss": options.RssBaseUrl = url; options.ApiBaseUrl = url.TrimEnd('/') + "/api/query"; break;
                }
            }
            var request = new HarvestRequest(src, p.GetValue(set), Day(p.GetValue(from), "--from"), Day(p.GetValue(until), "--until"), "cli");
            await ServerApp.MigrateAsync(db, ct);
            // The same lock as the scheduler and the admin page's "Run now": never two harvests at once.
            await using var held = await new HarvestLock(db).TryAcquireAsync(ct)
                ?? throw new CliException("another harvest is running (the scheduler, the admin page or another harvest command); try again when it has finished");
            using var http = new ArxivHttp(options);
            var harvester = new Harvester(db, new PaperUpsert(db), http, new ArxivApiClient(http), TimeProvider.System);
            HarvestRun run;
            try
            {
                run = await harvester.RunAsync(request, ct);
            }
            catch (Exception ex) when (ex is ArxivHttpException or ArxivFormatException or OaiPmhErrorException or ArgumentException)
            {
                throw new CliException(ex.Message);
            }
            Console.WriteLine($"source: {run.Source}");
            Console.WriteLine($"set: {(run.SetSpec.Length == 0 ? "-" : run.SetSpec)}");
            Console.WriteLine($"pages: {run.Pages}");
            Console.WriteLine($"read: {run.Read}");
            Console.WriteLine($"inserted: {run.Inserted}");
            Console.WriteLine($"updated: {run.Updated}");
            Console.WriteLine($"unchanged: {run.Unchanged}");
            Console.WriteLine($"deleted: {run.Deleted}");
            Console.WriteLine($"rejected: {run.Rejected}");
            Console.WriteLine($"seconds: {(run.FinishedAt!.Value - run.StartedAt).TotalSeconds:F1}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Defaults overridden by DAILYPAPERS_Arxiv__* environment variables, as the server reads them.</summary>
    internal static ArxivSettings LoadOptions() => LoadSection<ArxivSettings>(ArxivSettings.Section);

    /// <summary>A settings section with its defaults, overridden by DAILYPAPERS_{section}__* environment variables, validated.</summary>
    internal static T LoadSection<T>(string section) where T : new()
    {
        var config = new ConfigurationBuilder().AddEnvironmentVariables("DAILYPAPERS_").Build();
        var options = new T();
        config.GetSection(section).Bind(options);
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, true))
            throw new CliException($"invalid {section} settings: " + string.Join("; ", errors.Select(e => e.ErrorMessage)));
        return options;
    }

    private static DateOnly? Day(string? s, string name)
    {
        if (s is null) return null;
        return ListPeriod.TryParseDay(s, out var d)
            ? d : throw new CliException($"{name} must be a date YYYY-MM-DD, not '{s}'");
    }
}
