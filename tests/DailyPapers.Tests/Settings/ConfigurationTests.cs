using System.Text.Json;
using DailyPapers.Api;
using DailyPapers.Data;
using DailyPapers.Settings;
using DailyPapers.Tests.Cli;
using DailyPapers.Tests.Support;
using DailyPapers.Web;
using Microsoft.Extensions.Options;

namespace DailyPapers.Tests.Settings;

/// <summary>One configuration path: dailypapers.json in the data folder, then DAILYPAPERS_ variables, then the command line.</summary>
public sealed class ConfigurationTests
{
    private static string DataDirWithFile(object settings)
    {
        var dir = TestEnv.NewTempDir();
        File.WriteAllText(Path.Combine(dir, AppConfiguration.FileName), JsonSerializer.Serialize(settings));
        return dir;
    }

    [Fact]
    public void EachSourceOverridesTheOneBefore()
    {
        // A section no settings class reads, so the variables set here cannot reach a server another test starts.
        var dir = DataDirWithFile(new { ConfigurationTests = new { FileOnly = "file", FileAndEnv = "file", All = "file" } });
        Environment.SetEnvironmentVariable("DAILYPAPERS_ConfigurationTests__FileAndEnv", "env");
        Environment.SetEnvironmentVariable("DAILYPAPERS_ConfigurationTests__All", "env");
        try
        {
            var config = AppConfiguration.Build(dir, ["ConfigurationTests:All=command line"]);
            Assert.Equal("file", config["ConfigurationTests:FileOnly"]);
            Assert.Equal("env", config["ConfigurationTests:FileAndEnv"]);
            Assert.Equal("command line", config["ConfigurationTests:All"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DAILYPAPERS_ConfigurationTests__FileAndEnv", null);
            Environment.SetEnvironmentVariable("DAILYPAPERS_ConfigurationTests__All", null);
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task TheServerReadsTheSettingsFileInItsDataFolderAndTheCommandLineOverIt()
    {
        var dir = DataDirWithFile(new { Api = new { RatePermits = 7, RateWindowSeconds = 30 } });
        try
        {
            var db = DatabaseSettings.Resolve(dir, null);
            await using (var fromFile = ServerApp.Create(db, ["--urls", "http://127.0.0.1:0"]))
            {
                var api = fromFile.Services.GetRequiredService<IOptions<ApiSettings>>().Value;
                Assert.Equal(7, api.RatePermits);
                Assert.Equal(30, api.RateWindowSeconds);
            }
            await using var overridden = ServerApp.Create(db, ["--urls", "http://127.0.0.1:0"], settings: ["Api:RatePermits=9"]);
            var over = overridden.Services.GetRequiredService<IOptions<ApiSettings>>().Value;
            Assert.Equal(9, over.RatePermits);
            Assert.Equal(30, over.RateWindowSeconds);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task CliVerbsReadTheSameSourcesAndRefuseInvalidSettingsWithTheReason()
    {
        var dir = DataDirWithFile(new { Harvest = new { TimeZone = "Mars/Olympus_Mons", Sets = new[] { "cs" } } });
        try
        {
            var fromFile = await CliTests.DailyPapersAsync(dir, "stats", "--health");
            Assert.Equal(1, fromFile.ExitCode);
            Assert.Contains("invalid Harvest settings", fromFile.Err);
            Assert.Contains("Mars/Olympus_Mons", fromFile.Err);

            var env = new Dictionary<string, string> { ["DAILYPAPERS_Harvest__TimeZone"] = "Venus/Maxwell" };
            var fromEnv = await CliTests.DailyPapersAsync(dir, env, "stats", "--health");
            Assert.Contains("Venus/Maxwell", fromEnv.Err);

            var fromCommandLine = await CliTests.DailyPapersAsync(dir, env, "--setting", "Harvest:TimeZone=UTC", "stats", "--health");
            Assert.DoesNotContain("invalid", fromCommandLine.Err);
            Assert.Contains("ingest_cs_newest_complete:", fromCommandLine.Out);

            var malformed = await CliTests.DailyPapersAsync(dir, "--setting", "Harvest:TimeZone", "stats");
            Assert.Equal(1, malformed.ExitCode);
            Assert.Contains("KEY=VALUE", malformed.Err);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
