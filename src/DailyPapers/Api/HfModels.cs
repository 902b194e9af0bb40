using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text;
using DailyPapers.Feeds;
using DailyPapers.Papers;

namespace DailyPapers.Api;

// Wire shapes of Hugging Face's papers API, as recorded in shared/data/fixtures/hf-api (2024–2026).
// Fields HF sends only sometimes (ai_summary, ai_keywords, githubRepo, githubStars, projectPage, organization,
// submittedOnDailyBy, submittedBy) are sent when this instance has them (imported from HF's history or, for the
// submitter, a member's submission) and omitted otherwise, exactly as HF omits them, so a client never sees a null
// where HF's type is a string, an object or a list. Fields HF always sends are always sent. "upvotes" and
// "numComments" are this instance's own plus the imported ones; /api/v1 gives them apart.

/// <summary>An entry of <c>GET /api/daily_papers</c> and <c>GET /api/papers/search</c>.</summary>
public sealed record HfDailyPaper(
    [property: JsonPropertyName("paper")] HfPaper Paper,
    [property: JsonPropertyName("publishedAt")] string PublishedAt,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("thumbnail")] string Thumbnail,
    [property: JsonPropertyName("numComments")] int NumComments,
    [property: JsonPropertyName("submittedBy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HfUser? SubmittedBy,
    [property: JsonPropertyName("organization"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HfOrganization? Organization,
    [property: JsonPropertyName("isAuthorParticipating")] bool IsAuthorParticipating);

/// <summary>The paper object: nested in a daily entry, and flat from <c>GET /api/papers/{id}</c>.</summary>
public sealed record HfPaper(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("authors")] IReadOnlyList<HfAuthor> Authors,
    [property: JsonPropertyName("publishedAt")] string PublishedAt,
    [property: JsonPropertyName("submittedOnDailyAt")] string SubmittedOnDailyAt,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("submittedOnDailyBy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HfSubmitter? SubmittedOnDailyBy,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("upvotes")] int Upvotes,
    [property: JsonPropertyName("discussionId")] string DiscussionId,
    [property: JsonPropertyName("projectPage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ProjectPage = null,
    [property: JsonPropertyName("githubRepo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GithubRepo = null,
    [property: JsonPropertyName("ai_summary"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AiSummary = null,
    [property: JsonPropertyName("ai_keywords"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? AiKeywords = null,
    [property: JsonPropertyName("githubStars"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? GithubStars = null,
    [property: JsonPropertyName("organization"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HfOrganization? Organization = null);

/// <summary>An organisation, as HF nests it in a paper and an entry.</summary>
public sealed record HfOrganization(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("fullname")] string Fullname,
    [property: JsonPropertyName("avatar")] string Avatar);

public sealed record HfAuthor(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("hidden")] bool Hidden);

/// <summary>The <c>submittedBy</c> user of a daily entry.</summary>
public sealed record HfUser(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("avatarUrl")] string AvatarUrl,
    [property: JsonPropertyName("fullname")] string Fullname,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("isPro")] bool IsPro,
    [property: JsonPropertyName("isHf")] bool IsHf,
    [property: JsonPropertyName("isHfAdmin")] bool IsHfAdmin,
    [property: JsonPropertyName("isMod")] bool IsMod,
    [property: JsonPropertyName("followerCount")] int FollowerCount,
    [property: JsonPropertyName("isUserFollowing")] bool IsUserFollowing);

/// <summary>The <c>paper.submittedOnDailyBy</c> user (HF names the handle both <c>user</c> and <c>name</c> here).</summary>
public sealed record HfSubmitter(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("avatarUrl")] string AvatarUrl,
    [property: JsonPropertyName("isPro")] bool IsPro,
    [property: JsonPropertyName("fullname")] string Fullname,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("name")] string Name);

/// <summary>HF's error body: <c>{"error": "…"}</c>.</summary>
public sealed record HfError([property: JsonPropertyName("error")] string Error);

public static class HfMapping
{
    public static HfDailyPaper Entry(ListItem s, string site)
    {
        var paper = Paper(s, site);
        HfUser? user = s.DailySubmitter is { } handle
            ? new HfUser(ObjectId("user:" + handle), site + "/img/avatar.svg", handle, handle, "user", false, false, false, false, 0, false)
            : null;
        return new HfDailyPaper(paper, paper.PublishedAt, s.Title, s.Abstract, site + "/img/paper.svg",
            s.CommentCount + s.Signals.HfComments, user, paper.Organization, false);
    }

    public static HfPaper Paper(ListItem s, string site)
    {
        var g = s.Signals;
        var authors = s.Authors.Select((a, i) => new HfAuthor(AuthorId(s.Id, i), a, false)).ToList();
        HfSubmitter? by = s.DailySubmitter is { } handle
            ? new HfSubmitter(ObjectId("user:" + handle), site + "/img/avatar.svg", false, handle, handle, "user", handle)
            : null;
        HfOrganization? org = g.Organization is { } o ? new HfOrganization(ObjectId("org:" + o), o, g.OrganizationName ?? o, site + "/img/avatar.svg") : null;
        return new HfPaper(s.ArxivId, authors, Date(s.FirstSubmittedAt),
            Date(s.ListingDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)), s.Title, by,
            s.Abstract, s.Upvotes + g.HfUpvotes, s.Id.ToString("x24", CultureInfo.InvariantCulture),
            g.ProjectPage, g.GithubRepo, g.AiSummary, g.AiKeywords.Count > 0 ? g.AiKeywords : null, g.GithubStars, org);
    }

    /// <summary>HF timestamps: UTC with milliseconds, e.g. 2025-05-30T17:59:01.000Z.</summary>
    public static string Date(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>HF ids are 24 hex digits (MongoDB ObjectIds); ours are derived so they are stable and unique.</summary>
    private static string AuthorId(long paperId, int position) =>
        paperId.ToString("x16", CultureInfo.InvariantCulture) + position.ToString("x8", CultureInfo.InvariantCulture);

    private static string ObjectId(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 12));
}
