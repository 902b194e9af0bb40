using DailyPapers.Ingest;

namespace DailyPapers.Tests.Ingest;

public sealed class HarvestScheduleTests
{
    private static readonly HarvestScheduleOptions Options = new();

    [Fact]
    public void HarvestIsDueAfterTheEveningAnnouncementSundayToThursday()
    {
        // Tuesday 2026-01-06, 20:45 EST = 01:45 UTC Wednesday.
        var afterAnnouncement = new DateTimeOffset(2026, 1, 7, 1, 45, 0, TimeSpan.Zero);
        var slot = Options.LatestSlot(afterAnnouncement);
        Assert.Equal(new DateTimeOffset(2026, 1, 7, 1, 30, 0, TimeSpan.Zero), slot);
        Assert.True(Options.IsDue(afterAnnouncement, new DateTime(2026, 1, 6, 12, 0, 0, DateTimeKind.Utc)));
        Assert.False(Options.IsDue(afterAnnouncement, new DateTime(2026, 1, 7, 1, 40, 0, DateTimeKind.Utc)));
        Assert.True(Options.IsDue(afterAnnouncement, null));
    }

    [Fact]
    public void FridayAndSaturdayEveningsHaveNoSlot()
    {
        // Saturday 2026-01-10 22:00 EST: the latest slot is Thursday 2026-01-08 20:30 EST.
        var saturdayNight = new DateTimeOffset(2026, 1, 11, 3, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 1, 9, 1, 30, 0, TimeSpan.Zero), Options.LatestSlot(saturdayNight));
        Assert.False(Options.IsDue(saturdayNight, new DateTime(2026, 1, 9, 2, 0, 0, DateTimeKind.Utc)));
    }
}

public sealed class IngestRegistrationTests
{
    [Theory, MemberData(nameof(Support.TestDatabase.Engines), MemberType = typeof(Support.TestDatabase))]
    public async Task ServerStartsWithNoConfigurationAndOffersTheApiClient(string engine)
    {
        await using var server = await Support.TestServer.StartAsync(engine);
        Assert.NotNull(server.App.Services.GetRequiredService<ArxivApiClient>());
        Assert.Same(server.App.Services.GetRequiredService<ArxivHttp>(), server.App.Services.GetRequiredService<ArxivHttp>());
        Assert.Equal(TimeSpan.FromSeconds(3), server.App.Services.GetRequiredService<ArxivHttp>().Options.MinSpacing);
        var response = await server.Client.GetAsync("healthz/ready");
        Assert.True(response.IsSuccessStatusCode);
    }
}
