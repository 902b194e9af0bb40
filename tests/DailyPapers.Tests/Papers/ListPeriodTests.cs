using DailyPapers.Papers;

namespace DailyPapers.Tests.Papers;

public sealed class ListPeriodTests
{
    [Theory]
    [InlineData("date", "9999-12-31", "9999-12-31", "9999-12-31")]
    [InlineData("date", "0001-01-01", "0001-01-01", "0001-01-01")]
    [InlineData("month", "9999-12", "9999-12-01", "9999-12-31")]
    [InlineData("month", "0001-01", "0001-01-01", "0001-01-31")]
    [InlineData("week", "0001-W01", "0001-01-01", "0001-01-07")]
    // The calendar's last ISO week runs past 9999-12-31 (Monday 27th to Sunday 2nd): it ends with the calendar.
    [InlineData("week", "9999-W52", "9999-12-27", "9999-12-31")]
    public void PeriodsAtTheEndsOfTheCalendarAreRepresentable(string segment, string value, string start, string last)
    {
        Assert.True(ListPeriod.TryParse(segment, value, out var period, out var error), error);
        Assert.Equal(DateOnly.Parse(start), period.Start);
        Assert.Equal(DateOnly.Parse(last), period.Last);
        Assert.Equal(value, period.Value);
        Assert.NotEmpty(period.Title);
        Assert.True(period.EndUtc > period.Start.ToDateTime(TimeOnly.MinValue));
        // The period's neighbours in the page's Day/Week/Month switch are representable too.
        Assert.Equal(value, ListPeriod.Of(period.Kind, period.Last).Value);
        Assert.NotEmpty(ListPeriod.WeekOf(period.Last).Value);
        Assert.NotEmpty(ListPeriod.MonthOf(period.Start).Title);
    }

    [Fact]
    public void PlusStopsAtTheEndsOfTheCalendar()
    {
        Assert.Equal(DateOnly.MaxValue, ListPeriod.Plus(DateOnly.MaxValue, 1));
        Assert.Equal(DateOnly.MinValue, ListPeriod.Plus(DateOnly.MinValue, -7));
        Assert.Equal(new DateOnly(2019, 12, 3), ListPeriod.Plus(new DateOnly(2019, 12, 2), 1));
    }

    [Theory]
    [InlineData("9999-W53")]
    [InlineData("10000-W01")]
    [InlineData("0000-W01")]
    [InlineData("2019-W00")]
    public void WeeksOutsideTheCalendarAreInvalid(string value) =>
        Assert.False(ListPeriod.TryParse("week", value, out _, out _));

    [Theory]
    [InlineData("10000-01-01")]
    [InlineData("0000-12-31")]
    [InlineData("2019-12-02T00:00")]
    [InlineData(" 2019-12-02")]
    [InlineData("2019-12-2")]
    [InlineData(null)]
    public void TryParseDayAcceptsOnlyYyyyMmDd(string? value) => Assert.False(ListPeriod.TryParseDay(value, out _));
}
