using System.CommandLine;
using DailyPapers.Data;

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
        Description = "Database: a SQLite path or a PostgreSQL connection string such as Host=…;Database=…;Username=…;Password=… (env DAILYPAPERS_DATABASE)",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("DailyPapers: a self-hosted daily list of new arXiv papers that a community upvotes and discusses.");
        root.Options.Add(DataDir);
        root.Options.Add(Database);
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

    /// <summary>The settings named on the command line, else by the environment, else the defaults.</summary>
    public static DatabaseSettings Settings(ParseResult p)
    {
        try
        {
            return DatabaseSettings.Resolve(p.GetValue(DataDir), p.GetValue(Database));
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
    }
}

/// <summary>A failure to report to the user as one line and a non-zero exit code, without a stack trace.</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
