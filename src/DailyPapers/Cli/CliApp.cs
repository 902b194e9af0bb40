using System.CommandLine;
using DailyPapers.Data;
using DailyPapers.Settings;
using Microsoft.Extensions.Options;

namespace DailyPapers.Cli;

/// <summary>The <c>dailypapers</c> command line: one binary for the server and every admin task.</summary>
public static class CliApp
{
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Folder for the database and indexes (default ./data; env DAILYPAPERS_DATA_DIR)",
        Recursive = true,
    };

    public static readonly Option<string?> Database = new("--database")
    {
        Description = "Database: a SQLite path or a PostgreSQL connection string such as Host=…;Database=…;Username=…;Password=… (setting Database, env DAILYPAPERS_DATABASE)",
        Recursive = true,
    };

    public static readonly Option<string[]> Setting = new("--setting")
    {
        Description = "A setting KEY=VALUE such as Mail:Host=smtp.example.org, over dailypapers.json and DAILYPAPERS_ variables (repeatable; docs/configuration.md lists them)",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("DailyPapers: a self-hosted daily list of new arXiv papers that a community upvotes and discusses.");
        root.Options.Add(DataDir);
        root.Options.Add(Database);
        root.Options.Add(Setting);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(UsersCommand.Create());
        root.Subcommands.Add(HarvestCommand.Create());
        root.Subcommands.Add(DigestCommand.Create());
        root.Subcommands.Add(ReindexCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        try
        {
            // Without this, System.CommandLine's own handler prints CliException as an "Unhandled exception" with a stack trace.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (CliException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ex.ExitCode;
        }
        catch (InvalidSettingsException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (OptionsValidationException ex)
        {
            // The server validates every settings class as it starts.
            Console.Error.WriteLine($"error: invalid settings: {string.Join("; ", ex.Failures)}");
            return 1;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException { InnerException: System.Data.Common.DbException })
        {
            Console.Error.WriteLine($"error: the database could not be used: {(ex.InnerException ?? ex).Message}");
            return 3;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled; what was committed is kept, run the command again to continue");
            return 130;
        }
    }

    /// <summary>The data folder and database named on the command line, else by the configuration (<see cref="AppConfiguration"/>), else the defaults.</summary>
    public static DatabaseSettings Settings(ParseResult p)
    {
        try
        {
            return AppConfiguration.Database(AppConfiguration.DataDir(p.GetValue(DataDir)), Configuration(p));
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>The settings given on the command line (--database, --setting), as KEY=VALUE pairs over the other sources.</summary>
    public static IEnumerable<string> CommandLineSettings(ParseResult p) =>
        (p.GetValue(Database) is { } database ? [$"{AppConfiguration.DatabaseKey}={database}"] : Array.Empty<string>()).Concat(p.GetValue(Setting) ?? []);

    /// <summary>The configuration a verb reads: the same sources, in the same order, as the server's.</summary>
    public static IConfigurationRoot Configuration(ParseResult p) =>
        AppConfiguration.Build(AppConfiguration.DataDir(p.GetValue(DataDir)), CommandLineSettings(p));

    /// <summary>One settings class, bound and validated as the server does it.</summary>
    public static T Load<T>(ParseResult p) where T : class, ISettingsSection => AppConfiguration.Get<T>(Configuration(p));
}

/// <summary>A failure to report to the user as one line and a non-zero exit code, without a stack trace.</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
