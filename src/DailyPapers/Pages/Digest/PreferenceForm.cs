using DailyPapers.Digest;

namespace DailyPapers.Pages.Digest;

/// <summary>The preference fields shared by the subscribe and preferences pages.</summary>
public sealed class PreferenceForm
{
    public string? Frequency { get; set; }
    public string? Categories { get; set; }
    public string? Keywords { get; set; }
    public string? Authors { get; set; }
    public Dictionary<string, string> Errors { get; set; } = [];

    public static PreferenceForm From(Subscription s) => new()
    {
        Frequency = s.Frequency.ToString().ToLowerInvariant(),
        Categories = s.Categories,
        Keywords = s.Keywords,
        Authors = s.Authors,
    };
}
