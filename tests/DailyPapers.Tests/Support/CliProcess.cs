using System.Diagnostics;

namespace DailyPapers.Tests.Support;

/// <summary>Runs a program (the dailypapers binary, the script, dotnet) as a separate process, as an admin would.</summary>
public static class CliProcess
{
    public sealed record Run(int ExitCode, string Out, string Err);

    /// <summary>The built dailypapers binary beside the tests.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "dailypapers.dll");

    /// <summary>Runs the dailypapers binary in <paramref name="workingDir"/>.</summary>
    public static Task<Run> DailyPapersAsync(string workingDir, params string[] args) => RunAsync(workingDir, "dotnet", [Dll, .. args]);

    /// <summary>Runs <paramref name="program"/> in <paramref name="workingDir"/> with no data-dir or database settings in its environment.</summary>
    public static Task<Run> RunAsync(string workingDir, string program, params string[] args) => RunAsync(workingDir, null, program, args);

    /// <summary>As <see cref="RunAsync(string, string, string[])"/>, with <paramref name="environment"/> set (null values removed).</summary>
    public static async Task<Run> RunAsync(string workingDir, IReadOnlyDictionary<string, string?>? environment, string program, params string[] args)
    {
        using var p = Process.Start(StartInfo(workingDir, environment, program, args))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // Generous: the script may have to build when a source is newer than the binary.
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        return new Run(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>How every test starts a program: output captured, no data-dir or database settings inherited, <paramref name="environment"/> applied.</summary>
    public static ProcessStartInfo StartInfo(string workingDir, IReadOnlyDictionary<string, string?>? environment, string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("DAILYPAPERS_DATA_DIR");
        psi.Environment.Remove("DAILYPAPERS_DATABASE");
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        return psi;
    }

    /// <summary>The value of a "name: value" line of a command's output.</summary>
    public static string Value(this Run run, string name) =>
        run.Out.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..]
        ?? throw new Xunit.Sdk.XunitException($"no '{name}:' line in the output:\n{run.Out}\n{run.Err}");
}
