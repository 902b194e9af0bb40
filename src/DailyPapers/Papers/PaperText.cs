using Microsoft.AspNetCore.Html;

namespace DailyPapers.Papers;

/// <summary>How pages show a paper's text: TeX text-mode turned into Unicode (math left for KaTeX), long author lists shortened.</summary>
public static class PaperText
{
    /// <summary>Authors a card names before "and N more".</summary>
    public const int CardAuthors = 5;
    /// <summary>Authors a paper page names before "and N more".</summary>
    public const int PageAuthors = 20;

    /// <summary>Title, snippet or abstract as safe HTML: text-mode TeX as Unicode, emphasis as &lt;em&gt;/&lt;strong&gt;, $…$ kept for KaTeX.</summary>
    public static IHtmlContent Html(string? tex) => new HtmlString(TexText.ToHtml(tex));

    /// <summary>Plain text for feeds, exports and attributes: text-mode TeX as Unicode, math kept as written.</summary>
    public static string Text(string? tex) => TexText.ToText(tex);

    /// <summary>The display string's names, in order (sources join them with ", ").</summary>
    public static IReadOnlyList<string> AuthorNames(string? authors) =>
        string.IsNullOrWhiteSpace(authors) ? [] : authors.Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
