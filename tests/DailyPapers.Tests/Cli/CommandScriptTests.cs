using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using DailyPapers.Tests.Support;
using static DailyPapers.Tests.Support.CliProcess;

namespace DailyPapers.Tests.Cli;

/// <summary>
/// The <c>dailypapers</c> command a clone offers (the script at the repository root, and <c>dotnet run</c>): what the
/// README and the empty home page say runs as written, in the caller's folder.
/// </summary>
public sealed partial class CommandScriptTests
{
    /// <summary>The repository root: the folder holding the solution and the script.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "DailyPapers.sln")) && File.Exists(Path.Combine(dir.FullName, "dailypapers")))
                    return dir.FullName;
            throw new DirectoryNotFoundException("the repository root (DailyPapers.sln and the dailypapers script) is not above " + AppContext.BaseDirectory);
        }
    }

    private static string Script => Path.Combine(RepositoryRoot, "dailypapers");

    [GeneratedRegex(@"<pre><code>(.*?)</code></pre>")]
    private static partial Regex CodeBlock();

    [Fact]
    public async Task TheHomePagesImportCommandIsTheReadmesAndRunsAsWrittenInTheCallersFolder()
    {
        await using var server = await TestServer.StartAsync(TestDatabase.Sqlite);
        var html = await server.Client.GetStringAsync("/");
        var command = WebUtility.HtmlDecode(CodeBlock().Match(html).Groups[1].Value);
        Assert.StartsWith("./dailypapers import ", command);
        var readme = await File.ReadAllLinesAsync(Path.Combine(RepositoryRoot, "README.md"));
        Assert.Contains("    " + command, readme);

        // The file the command names, in a folder of the caller's that is not the repository.
        var caller = TestEnv.NewTempDir("dp-caller");
        var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
        await using (var gz = new GZipStream(File.Create(Path.Combine(caller, args[^1])), CompressionLevel.Fastest))
        await using (var sample = File.OpenRead(TestEnv.Sample1000))
            await sample.CopyToAsync(gz);

        var run = await RunAsync(caller, Script, args);
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("inserted: 1000", run.Out);
        // The default data dir is the caller's ./data, not one inside the repository.
        Assert.True(File.Exists(Path.Combine(caller, "data", "dailypapers.db")));
        Directory.Delete(caller, true);
    }

    [Fact]
    public async Task ARelativePathIsTheCallersAndAMissingFileNamesTheFullPathTried()
    {
        var caller = TestEnv.NewTempDir("dp-caller");
        File.Copy(TestEnv.Sample1000, Path.Combine(caller, "sample.jsonl"));
        var ok = await RunAsync(caller, Script, "--data-dir", "here", "import", "sample.jsonl");
        Assert.True(ok.ExitCode == 0, ok.Err);
        Assert.True(File.Exists(Path.Combine(caller, "here", "dailypapers.db")));

        var missing = await RunAsync(caller, Script, "--data-dir", "here", "import", Path.Combine("sub", "nope.jsonl"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains(Path.Combine(caller, "sub", "nope.jsonl"), missing.Err);
        Directory.Delete(caller, true);
    }

    [Fact]
    public async Task DotnetRunRunsTheCommandInTheCallersFolderToo()
    {
        var caller = TestEnv.NewTempDir("dp-caller");
        // The configuration the tests were built in (scripts/test.sh builds Release).
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var run = await RunAsync(caller, "dotnet", "run", "--no-build", "-c", configuration, "--project", Path.Combine(RepositoryRoot, "src", "DailyPapers"),
            "--", "import", "nope.jsonl");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("no such file: " + Path.Combine(caller, "nope.jsonl"), run.Err);
        Directory.Delete(caller, true);
    }
}
