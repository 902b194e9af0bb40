using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DailyPapers.Api;
using DailyPapers.Community;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Library;

/// <summary>Members with tokens, JSON calls that check problem details, and multipart form posts with antiforgery.</summary>
public static partial class LibraryKit
{
    public sealed record Caller(AppUser User, HttpClient Web, string Read, string Write);

    public static async Task<Caller> MemberAsync(TestServer server, string name)
    {
        var email = UniqueEmail(name.ToLowerInvariant());
        var user = await CreateMemberAsync(server, email, name);
        await using var db = server.Database.Settings.CreateContext();
        var (_, read) = await ApiTokens.CreateAsync(db, user.Id, "read", ApiScope.Read);
        var (_, write) = await ApiTokens.CreateAsync(db, user.Id, "write", ApiScope.Write);
        return new Caller(user, await LoggedInClientAsync(server, email), read, write);
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(TestServer server, HttpMethod method, string url, string? secret, object? json = null)
    {
        using var req = new HttpRequestMessage(method, url);
        if (secret is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        if (json is not null) req.Content = new StringContent(JsonSerializer.Serialize(json), Encoding.UTF8, "application/json");
        var res = await server.Client.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        if ((int)res.StatusCode >= 400)
        {
            Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
            Assert.Equal((int)res.StatusCode, body.GetProperty("status").GetInt32());
        }
        return (res.StatusCode, body);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    /// <summary>Uploads a file through the library page's import form.</summary>
    public static async Task<(HttpStatusCode Status, string Html)> ImportAsync(HttpClient client, byte[] file, long? collection = null)
    {
        var page = await client.GetStringAsync("/library");
        var token = WebUtility.HtmlDecode(TokenPattern().Match(page).Groups[1].Value);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(collection?.ToString() ?? ""), "collection" },
        };
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-bibtex");
        form.Add(content, "file", "library.bib");
        var res = await client.PostAsync("/library?handler=Import", form);
        return (res.StatusCode, WebUtility.HtmlDecode(await res.Content.ReadAsStringAsync()));
    }

    /// <summary>Papers with controlled text on one listing day: topic words repeated so the text features tell them apart.</summary>
    public static PaperRecord Topic(string id, DateOnly day, string topic, int n, string[]? authors = null, string[]? cats = null) => new()
    {
        ArxivId = id,
        Title = topic switch
        {
            "graph" => $"Graph neural networks for node classification on citation graphs, part {n}",
            "quantum" => $"Quantum error correction with surface codes and logical qubits, part {n}",
            _ => $"Galaxy cluster redshift surveys and dark matter halos, part {n}",
        },
        Abstract = topic switch
        {
            "graph" => "We propose a graph neural network with message passing over graph edges; node embeddings from graph convolution improve node classification and link prediction on citation graphs.",
            "quantum" => "We study quantum error correction: surface codes protect logical qubits, and decoders for syndrome measurements reach the fault-tolerant threshold on noisy quantum hardware.",
            _ => "We measure galaxy cluster redshifts in a wide survey and constrain dark matter halo masses with weak lensing and X-ray observations of the clusters.",
        },
        Authors = (authors ?? [$"Author {topic} {n}"]).Select(a => new AuthorName(a)).ToList(),
        Categories = cats ?? [topic switch { "graph" => "cs.LG", "quantum" => "quant-ph", _ => "astro-ph.CO" }],
        Versions = [new VersionInfo(1, day.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc).AddDays(-1))],
        AnnouncedOn = day,
    };
}
