using DailyPapers.Digest;

namespace DailyPapers.Tests.Digest;

public sealed class DigestSchedulerTests
{
    private static readonly DigestSettings Settings = new();

    [Fact]
    public void NothingIsDueBeforeTheSendTime() =>
        Assert.Empty(DigestScheduler.Due(new DateTime(2019, 12, 3, 1, 59, 0, DateTimeKind.Utc), Settings));

    [Fact]
    public void DailyIsDueOnWeekdaysAfterTheSendTimeForThatDay()
    {
        var due = Assert.Single(DigestScheduler.Due(new DateTime(2019, 12, 3, 2, 0, 0, DateTimeKind.Utc), Settings));
        Assert.Equal(new DigestRequest(DigestFrequency.Daily, new DateOnly(2019, 12, 3)), due);
    }

    [Fact]
    public void WeekendsHaveNoDailyDigest()
    {
        Assert.Empty(DigestScheduler.Due(new DateTime(2019, 12, 7, 12, 0, 0, DateTimeKind.Utc), Settings));
        Assert.Empty(DigestScheduler.Due(new DateTime(2019, 12, 8, 12, 0, 0, DateTimeKind.Utc), Settings));
    }

    [Fact]
    public void MondayAlsoSendsTheWeeklyDigestOfThePreviousWeek()
    {
        var due = DigestScheduler.Due(new DateTime(2019, 12, 9, 3, 0, 0, DateTimeKind.Utc), Settings).ToList();
        Assert.Contains(new DigestRequest(DigestFrequency.Weekly, new DateOnly(2019, 12, 2)), due);
        Assert.Equal("weekly:2019-W49", new DigestEdition(DigestFrequency.Weekly, DigestEdition.PeriodFor(DigestFrequency.Weekly, new DateOnly(2019, 12, 2)), []).Key);
    }
}
