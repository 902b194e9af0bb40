using DailyPapers.Cli;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Ingest;

/// <summary>The harvest verb and the hf-daily import format, run as the CLI runs them.</summary>
public sealed class HarvestCliTests
{
    [Fact]
    public async Task HarvestVerbFetchesFromTheBaseUrlIntoTheDatabase()
    {
        var dir = TestEnv.NewTempDir();
        var clock = new VirtualClock();
        await using var stub = await ArxivStub.StartAsync(clock, TimeSpan.FromSeconds(3), (ctx, n) => ArxivStub.WriteFileAsync(ctx, Fixtures.Oai("arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml")));
        var code = await CliApp.RunAsync(["harvest", "--source", "oai", "--from", "2015-01-01", "--until", "2015-01-03", "--base-url", stub.BaseUrl + "oai", "--data-dir", dir]);
        Assert.Equal(0, code);
        Assert.Contains("from=2015-01-01&until=2015-01-03", stub.Requests.Single());
        await using var ctx = Data.DatabaseSettings.Resolve(dir, null).CreateContext();
        Assert.Equal(2, await ctx.Papers.CountAsync());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task HarvestVerbRefusesWhileAnotherHarvestHoldsTheLock()
    {
        var dir = TestEnv.NewTempDir();
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) => ArxivStub.WriteFileAsync(ctx, Fixtures.Oai("arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml")));
        string[] args = ["harvest", "--source", "oai", "--from", "2015-01-01", "--base-url", stub.BaseUrl + "oai", "--data-dir", dir];
        // The scheduler or the admin page of a server on the same data folder is harvesting.
        await using (var held = await new HarvestLock(Data.DatabaseSettings.Resolve(dir, null)).TryAcquireAsync(CancellationToken.None))
        {
            Assert.NotNull(held);
            Assert.NotEqual(0, await CliApp.RunAsync(args));
            Assert.Empty(stub.Requests);
        }
        Assert.Equal(0, await CliApp.RunAsync(args));
        Assert.Single(stub.Requests);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("harvest", "--source", "oai", "--from", "2015-13-01")]
    [InlineData("harvest", "--source", "oai", "--base-url", "ftp://example.org/")]
    [InlineData("import", "/nonexistent/hf", "--format", "hf-daily")]
    public async Task BadArgumentsExitNonZeroWithoutTouchingTheNetwork(params string[] args)
    {
        var dir = TestEnv.NewTempDir();
        Assert.NotEqual(0, await CliApp.RunAsync([.. args, "--data-dir", dir]));
        Directory.Delete(dir, true);
    }
}
