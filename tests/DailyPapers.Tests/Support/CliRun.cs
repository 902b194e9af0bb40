using System.Diagnostics;

namespace DailyPapers.Tests.Support;

/// <summary>Runs the real dailypapers binary as a separate process on a data folder, as an admin would.</summary>
public static class CliRun
{
    public sealed record Run(int ExitCode, string Out, string Err);

    public static ProcessStartInfo StartInfo(string dataDir, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dailypapers.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DAILYPAPERS_DATA_DIR"] = dataDir;
        psi.Environment.Remove("DAILYPAPERS_DATABASE");
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }

    public static async Task<Run> RunAsync(string dataDir, params string[] args)
    {
        using var p = Process.Start(StartInfo(dataDir, args))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return new Run(p.ExitCode, await stdout, await stderr);
    }
}
