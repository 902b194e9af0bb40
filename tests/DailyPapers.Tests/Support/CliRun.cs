using System.Diagnostics;

namespace DailyPapers.Tests.Support;

/// <summary>Runs the real dailypapers binary on a data folder (DAILYPAPERS_DATA_DIR), as an admin would.</summary>
public static class CliRun
{
    public static ProcessStartInfo StartInfo(string dataDir, IEnumerable<string> args, IDictionary<string, string>? env = null) =>
        CliProcess.StartInfo(System.Environment.CurrentDirectory, Environment(dataDir, env), "dotnet", [CliProcess.Dll, .. args]);

    public static Task<CliProcess.Run> RunAsync(string dataDir, params string[] args) => RunAsync(dataDir, null, args);

    /// <summary>With extra environment variables, such as settings (DAILYPAPERS_Harvest__Sets__0).</summary>
    public static Task<CliProcess.Run> RunAsync(string dataDir, IDictionary<string, string>? env, params string[] args) =>
        CliProcess.RunAsync(System.Environment.CurrentDirectory, Environment(dataDir, env), "dotnet", [CliProcess.Dll, .. args]);

    private static Dictionary<string, string?> Environment(string dataDir, IDictionary<string, string>? env)
    {
        var all = new Dictionary<string, string?> { ["DAILYPAPERS_DATA_DIR"] = dataDir };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) all[k] = v;
        return all;
    }
}
