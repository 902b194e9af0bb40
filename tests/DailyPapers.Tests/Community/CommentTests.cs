using System.Net;
using DailyPapers.Community;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

public sealed class CommentTests
{
    /// <summary>Attempts to get script into a page through a comment; none may survive rendering.</summary>
    public static TheoryData<string> XssCorpus => new()
    {
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<svg onload=alert(1)><script>alert(1)</script></svg>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "[a](https://ok.example\" onmouseover=\"alert(1))",
        "[a](<https://x.example/\"onclick=\"alert(1)>)",
        "![img](x\" onerror=\"alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<<script>script>alert(1)<</script>/script>",
        "`<script>` in code is text, and <b onclick=alert(1)>bold</b>",
        "<style>body{display:none}</style>",
        "[x](vbscript:msgbox(1))",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "$\\href{javascript:alert(1)}{x}$",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "\"><script>alert(1)</script>",
    };

    private static readonly HashSet<string> Allowed = ["p", "br", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span", "div", "hr", "h3", "h4", "h5", "h6"];

    /// <summary>Parses the output as a browser would (AngleSharp) and checks every element and attribute: escaped text is harmless, markup is not.</summary>
    [Theory, MemberData(nameof(XssCorpus))]
    public void RenderedCommentContainsNothingExecutable(string attack)
    {
        var html = CommentRules.Render(attack);
        var doc = new AngleSharp.Html.Parser.HtmlParser().ParseDocument("<body>" + html + "</body>");
        foreach (var el in doc.Body!.QuerySelectorAll("*"))
        {
            Assert.Contains(el.LocalName, Allowed);
            foreach (var attr in el.Attributes)
            {
                Assert.Contains(attr.LocalName, new[] { "href", "class", "rel" });
                if (attr.LocalName == "href") Assert.Matches("^(https?:|mailto:)", attr.Value.Trim());
                if (attr.LocalName == "class") Assert.Equal("math", attr.Value);
            }
        }
    }

    /// <summary>Markdig refuses input nested beyond its depth limit with an ArgumentException, which was a 500 on posting.</summary>
    [Theory]
    [InlineData("> ", 4999)]
    [InlineData("- ", 4999)]
    [InlineData("1. ", 3333)]
    [InlineData("[", 9999)]
    public void DeeplyNestedMarkdownIsRefusedWithAMessage(string unit, int times)
    {
        var error = CommentRules.TryRender(string.Concat(Enumerable.Repeat(unit, times)) + "x", out var html);
        Assert.Contains("too deeply", error);
        Assert.Equal("", html);
        Assert.Null(CommentRules.TryRender(string.Concat(Enumerable.Repeat("> ", 20)) + "x", out html));
        Assert.Contains("<blockquote>", html);
    }

    [Fact]
    public void MarkdownAndMathSurviveSanitising()
    {
        var html = CommentRules.Render("**Nice**: $E=mc^2$ and a_1 * b_2, see [paper](https://arxiv.org/abs/2401.00001)\n\n$$\\int_0^1 x\\,dx$$");
        Assert.Contains("<strong>Nice</strong>", html);
        Assert.Contains("<span class=\"math\">\\(E=mc^2\\)</span>", html);
        Assert.Contains("href=\"https://arxiv.org/abs/2401.00001\"", html);
        Assert.Contains("rel=\"nofollow ugc noopener noreferrer\"", html);
        Assert.Contains("\\int_0^1", html);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ThreadedCommentsCountEditDeleteAndModeratorHide(string engine)
    {
        await using var server = await StartAsync(engine);
        var ids = await SeedPapersAsync(server, 1);
        var alice = UniqueEmail("alice");
        var bob = UniqueEmail("bob");
        var mod = UniqueEmail("mod");
        await CreateMemberAsync(server, alice, "Alice");
        await CreateMemberAsync(server, bob, "Bob");
        await CreateMemberAsync(server, mod, "Mo", Roles.Moderator);
        var a = await LoggedInClientAsync(server, alice);
        var b = await LoggedInClientAsync(server, bob);
        var m = await LoggedInClientAsync(server, mod);
        const string page = "/papers/2501.00001";

        var posted = await PostFormAsync(a, page, "/comments/new", new() { ["paperId"] = ids[0].ToString(), ["body"] = "Energy: $E=mc^2$ <script>alert(1)</script>" });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var rootId = long.Parse(posted.Headers.Location!.OriginalString.Split("#c-")[1]);
        var reply = await PostFormAsync(b, page, "/comments/new", new() { ["paperId"] = ids[0].ToString(), ["parentId"] = rootId.ToString(), ["body"] = "A reply" });
        Assert.Equal(HttpStatusCode.Redirect, reply.StatusCode);
        var replyId = long.Parse(reply.Headers.Location!.OriginalString.Split("#c-")[1]);

        var html = await a.GetStringAsync(page);
        Assert.Contains("\\(E=mc^2\\)", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.Matches($"id=\"c-{rootId}\"[\\s\\S]*<ol class=\"thread\">[\\s\\S]*id=\"c-{replyId}\"", html);
        Assert.Equal(2, await CountAsync(server, ids[0]));

        // Bob can't edit Alice's comment; Alice can.
        var forged = await PostFormAsync(b, page, "/comments/edit", new() { ["id"] = rootId.ToString(), ["body"] = "hijacked" });
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        var edit = await PostFormAsync(a, $"/comments/{rootId}/edit", "/comments/edit", new() { ["id"] = rootId.ToString(), ["body"] = "Edited text" });
        Assert.Equal(HttpStatusCode.Redirect, edit.StatusCode);
        Assert.Contains("Edited text", await a.GetStringAsync(page));

        // Bob reports Alice's comment; the moderator sees it in the queue and hides it.
        await PostFormAsync(b, page, "/comments/report", new() { ["id"] = rootId.ToString(), ["reason"] = "off topic" });
        AssertDenied(await b.GetAsync("/moderation/reports"));
        var queue = await m.GetStringAsync("/moderation/reports");
        Assert.Contains("off topic", queue);
        var hide = await PostFormAsync(m, "/moderation/reports", "/comments/hide", new() { ["id"] = rootId.ToString(), ["returnUrl"] = "/moderation/reports" });
        Assert.Equal(HttpStatusCode.Redirect, hide.StatusCode);
        Assert.DoesNotContain("off topic", await m.GetStringAsync("/moderation/reports"));
        Assert.DoesNotContain("Edited text", await b.GetStringAsync(page));
        Assert.Equal(1, await CountAsync(server, ids[0]));
        // A non-moderator can't hide.
        AssertDenied(await PostFormAsync(b, page, "/comments/unhide", new() { ["id"] = rootId.ToString() }));

        // Bob deletes his reply: a tombstone stays, the count drops.
        var del = await PostFormAsync(b, page, "/comments/delete", new() { ["id"] = replyId.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, del.StatusCode);
        Assert.Equal(0, await CountAsync(server, ids[0]));
        Assert.DoesNotContain("A reply", await a.GetStringAsync(page));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task CommentingFasterThanTheLimitGets429(string engine)
    {
        await using var server = await StartAsync(engine, b => b.Configuration["Community:CommentsPerUserPer10Minutes"] = "3");
        var ids = await SeedPapersAsync(server, 1);
        var email = UniqueEmail("chatty");
        await CreateMemberAsync(server, email);
        var c = await LoggedInClientAsync(server, email);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 4; i++)
            statuses.Add((await PostFormAsync(c, "/papers/2501.00001", "/comments/new", new() { ["paperId"] = ids[0].ToString(), ["body"] = $"comment {i}" })).StatusCode);
        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], statuses);
    }

    /// <summary>The cookie scheme answers a signed-in member without the role with a redirect to the "not allowed" page.</summary>
    private static void AssertDenied(HttpResponseMessage res)
    {
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        Assert.StartsWith("/account/denied", res.Headers.Location!.OriginalString.Replace(res.RequestMessage!.RequestUri!.GetLeftPart(UriPartial.Authority), ""));
    }

    private static async Task<int> CountAsync(TestServer server, long paperId)
    {
        await using var db = server.Database.Settings.CreateContext();
        return (await db.Papers.SingleAsync(p => p.Id == paperId)).CommentCount;
    }
}
