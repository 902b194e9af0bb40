using Ganss.Xss;
using Markdig;

namespace DailyPapers.Community;

/// <summary>Turns a comment's Markdown into safe HTML: Markdig (raw HTML disabled, $…$ kept for KaTeX) then HtmlSanitizer.</summary>
public static class CommentRules
{
    public const int MaxLength = 10_000;

    // Math spans come out as <span class="math">\(…\)</span>, which KaTeX's auto-render (site.js) typesets in the browser.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseMathematics()
        .UseAutoLinks()
        .UseEmphasisExtras()
        .DisableHtml()
        .Build();

    // An allow-list: everything not named here (script, iframe, svg, img, style, on* handlers, data:/javascript: URLs) is dropped.
    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    private static HtmlSanitizer CreateSanitizer()
    {
        var s = new HtmlSanitizer();
        s.AllowedTags.Clear();
        foreach (var t in new[] { "p", "br", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span", "div", "hr", "h3", "h4", "h5", "h6" })
            s.AllowedTags.Add(t);
        s.AllowedAttributes.Clear();
        s.AllowedAttributes.Add("href");
        s.AllowedAttributes.Add("class");
        s.AllowedClasses.Clear();
        s.AllowedClasses.Add("math");
        s.AllowedSchemes.Clear();
        s.AllowedSchemes.Add("http");
        s.AllowedSchemes.Add("https");
        s.AllowedSchemes.Add("mailto");
        s.UriAttributes.Clear();
        s.UriAttributes.Add("href");
        s.AllowedCssProperties.Clear();
        s.AllowedAtRules.Clear();
        s.AllowDataAttributes = false;
        s.PostProcessNode += (_, e) =>
        {
            // Links in comments earn no ranking and get no window.opener.
            if (e.Node is AngleSharp.Dom.IElement { LocalName: "a" } a) a.SetAttribute("rel", "nofollow ugc noopener noreferrer");
        };
        return s;
    }

    public static string Render(string markdown)
    {
        var html = Markdown.ToHtml(markdown, Pipeline);
        return Sanitizer.Sanitize(html);
    }

    /// <summary>Checks and renders a comment: null and the HTML when acceptable, otherwise what is wrong.</summary>
    public static string? TryRender(string? markdown, out string html)
    {
        html = "";
        if (Check(markdown) is { } error) return error;
        try
        {
            html = Render(markdown!);
            return null;
        }
        catch (ArgumentException)
        {
            // Markdig's depth limit: thousands of nested quotes, list items or brackets ("> > > …").
            return "This comment nests quotes, lists or brackets too deeply to display; flatten it.";
        }
    }

    /// <summary>Null when acceptable, otherwise what is wrong.</summary>
    public static string? Check(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown)) return "Write something first.";
        if (markdown.Length > MaxLength) return $"A comment can be at most {MaxLength:N0} characters.";
        return null;
    }
}
