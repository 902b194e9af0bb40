using System.Diagnostics;
using Npgsql;

namespace DailyPapers.Backup;

/// <summary>
/// PostgreSQL's own client programs, pg_dump and pg_restore: they are the engine's supported way to copy a live
/// database, so backup runs them rather than reimplementing them. Found in <c>DAILYPAPERS_PG_BIN</c>, else on PATH.
/// The connection goes to them through libpq's environment variables, so a password never shows in a process list.
/// </summary>
internal static class PostgresTools
{
    public const string BinVariable = "DAILYPAPERS_PG_BIN";

    public static string Find(string program)
    {
        var dirs = new List<string>();
        if (Environment.GetEnvironmentVariable(BinVariable) is { Length: > 0 } bin) dirs.Add(bin);
        dirs.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        foreach (var dir in dirs)
        {
            var path = Path.Combine(dir, program);
            if (File.Exists(path)) return path;
        }
        throw new BackupException(
            $"{program} was not found (looked in {BinVariable} and PATH). Install PostgreSQL's client programs of the server's version " +
            $"(Debian: apt-get install postgresql-client) or set {BinVariable}; docs/operations.md describes the pg_dump procedure.",
            BackupException.ToolFailed);
    }

    /// <summary>Runs a PostgreSQL client program against the database of <paramref name="connectionString"/>; its stderr on failure.</summary>
    public static async Task RunAsync(string program, string connectionString, IEnumerable<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Find(program)) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        void Set(string name, string? value) { if (!string.IsNullOrEmpty(value)) psi.Environment[name] = value; else psi.Environment.Remove(name); }
        Set("PGHOST", b.Host);
        Set("PGPORT", b.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Set("PGDATABASE", b.Database);
        Set("PGUSER", b.Username);
        Set("PGPASSWORD", b.Password);
        Set("PGSSLMODE", b.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        });
        using var p = Process.Start(psi) ?? throw new BackupException($"{program} could not be started", BackupException.ToolFailed);
        var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
        var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            await p.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        await stdout;
        if (p.ExitCode != 0)
            throw new BackupException($"{program} failed (exit {p.ExitCode}): {(await stderr).Trim()}", BackupException.ToolFailed);
    }
}
