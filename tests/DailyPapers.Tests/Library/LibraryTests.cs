using System.Net;
using System.Text;
using DailyPapers.Ingest;
using DailyPapers.Library;
using DailyPapers.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Community.CommunityKit;
using static DailyPapers.Tests.Library.LibraryKit;

namespace DailyPapers.Tests.Library;

public sealed class LibraryTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SavingFromACardFillsTheReadingListWithNotesAndReadMarksThatOnlyTheOwnerSees(string engine)
    {
        await using var server = await StartAsync(engine);
        await SeedPapersAsync(server, 3);
        var ada = await MemberAsync(server, "Ada");
        var eve = await MemberAsync(server, "Eve");
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var list = $"/papers/date/{day}";

        // The card offers Save; without JavaScript it is a form post and a redirect back.
        Assert.Contains("action=\"/library/save/2501.00001\"", await ada.Web.GetStringAsync(list));
        var res = await PostFormAsync(ada.Web, list, "/library/save/2501.00001", new() { ["returnUrl"] = list, ["on"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        Assert.Equal(list, res.Headers.Location!.OriginalString);
        // With htmx only the card's buttons come back, now pressed.
        var hx = await PostFormAsync(ada.Web, list, "/library/save/2501.00002", new() { ["on"] = "true" }, new() { ["HX-Request"] = "true" });
        var fragment = await hx.Content.ReadAsStringAsync();
        Assert.StartsWith("<div class=\"card-actions\"", fragment.TrimStart());
        Assert.DoesNotContain("<html", fragment);
        Assert.Contains("✓ Saved", fragment);

        await using var db = server.Database.Settings.CreateContext();
        var reading = await db.Set<Collection>().SingleAsync(c => c.UserId == ada.User.Id);
        Assert.True(reading.IsDefault);
        Assert.Equal(Collections.ReadingList, reading.Name);
        Assert.False(reading.IsPublic);
        var page = await ada.Web.GetStringAsync($"/library/{reading.Id}");
        Assert.Contains("/papers/2501.00001", page);
        Assert.Contains("/papers/2501.00002", page);
        Assert.DoesNotContain("/papers/2501.00003", page);

        // Notes and read marks.
        var ids = await db.Papers.Where(p => p.ArxivId == "2501.00001").Select(p => p.Id).SingleAsync();
        var noted = await PostFormAsync(ada.Web, $"/library/{reading.Id}", $"/library/{reading.Id}?handler=Note", new() { ["paper"] = ids.ToString(), ["note"] = "Read section 3 <b>twice</b>" });
        Assert.True(noted.StatusCode == HttpStatusCode.Redirect, noted.StatusCode + " " + noted.Headers.Location + (await noted.Content.ReadAsStringAsync()));
        Assert.Equal($"/library/{reading.Id}", noted.Headers.Location!.OriginalString);
        Assert.Equal("Read section 3 <b>twice</b>", (await db.Set<CollectionItem>().AsNoTracking().SingleAsync(i => i.CollectionId == reading.Id && i.PaperId == ids)).Note);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(ada.Web, $"/library/{reading.Id}", $"/library/{reading.Id}?handler=Read", new() { ["paper"] = ids.ToString(), ["read"] = "true" })).StatusCode);
        page = await ada.Web.GetStringAsync($"/library/{reading.Id}");
        var ta = Math.Max(0, page.IndexOf("Read section", StringComparison.Ordinal) - 200);
        Assert.True(page.Contains("Read section 3 &lt;b&gt;twice&lt;/b&gt;</textarea>"), page[ta..Math.Min(page.Length, ta + 1500)]);
        Assert.Contains("Mark unread", page);
        var item = await db.Set<CollectionItem>().AsNoTracking().SingleAsync(i => i.CollectionId == reading.Id && i.PaperId == ids);
        Assert.NotNull(item.ReadAt);
        var tooLong = await PostFormAsync(ada.Web, $"/library/{reading.Id}", $"/library/{reading.Id}?handler=Note", new() { ["paper"] = ids.ToString(), ["note"] = new string('x', CollectionItem.MaxNote + 1) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("Read section 3 <b>twice</b>", (await db.Set<CollectionItem>().AsNoTracking().SingleAsync(i => i.CollectionId == reading.Id && i.PaperId == ids)).Note);

        // Private: another member and a visitor get 404 for the page, the share URL and the export.
        Assert.Equal(HttpStatusCode.NotFound, (await eve.Web.GetAsync($"/library/{reading.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.Web.GetAsync($"/c/{reading.ShareSlug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/c/{reading.ShareSlug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/c/{reading.ShareSlug}/export.bib")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ada.Web.GetAsync($"/c/{reading.ShareSlug}/export.bib")).StatusCode);
        // Someone else's collection can't be written to either.
        var forged = await PostFormAsync(eve.Web, "/library", $"/library/{reading.Id}?handler=Visibility", new() { ["isPublic"] = "true" });
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);

        // Public: readable signed out, without the notes.
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(ada.Web, $"/library/{reading.Id}", $"/library/{reading.Id}?handler=Visibility", new() { ["isPublic"] = "true" })).StatusCode);
        var shared = await server.Client.GetAsync($"/c/{reading.ShareSlug}");
        Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        var sharedHtml = await shared.Content.ReadAsStringAsync();
        Assert.Contains("/papers/2501.00002", sharedHtml);
        Assert.DoesNotContain("Read section 3", sharedHtml);
        Assert.Contains("@misc{arXiv:2501.00001", await server.Client.GetStringAsync($"/c/{reading.ShareSlug}/export.bib"));
        Assert.Contains("AN  - arXiv:2501.00002", await server.Client.GetStringAsync($"/c/{reading.ShareSlug}/export.ris"));

        // Named collections from the picker; removing from the card takes it out of the Reading list.
        var picker = await PostFormAsync(ada.Web, "/library/save/2501.00003", "/library/save/2501.00003", new() { ["newName"] = "Graphs", ["on"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, picker.StatusCode);
        var graphs = await db.Set<Collection>().SingleAsync(c => c.UserId == ada.User.Id && c.Name == "Graphs");
        Assert.Equal(1, await db.Set<CollectionItem>().CountAsync(i => i.CollectionId == graphs.Id));
        var dup = await PostFormAsync(ada.Web, "/library", "/library?handler=Create", new() { ["name"] = "Graphs" });
        Assert.Equal(HttpStatusCode.BadRequest, dup.StatusCode);
        Assert.Contains("already have a collection", await dup.Content.ReadAsStringAsync());
        await PostFormAsync(ada.Web, list, "/library/save/2501.00002", new() { ["on"] = "false" });
        Assert.Equal(1, await db.Set<CollectionItem>().CountAsync(i => i.CollectionId == reading.Id));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ACollectionExportedAsBibTexImportsBackOnRealRecordsAndUnmatchedEntriesAreReported(string engine)
    {
        await using var server = await StartAsync(engine);
        await new SnapshotImport(new PaperUpsert(server.Database.Settings)).RunAsync(TestEnv.Sample1000);
        await server.App.Services.GetRequiredService<DailyPapers.Search.SearchEngine>().Keyword.CatchUpAsync(server.Database.Settings);
        var ada = await MemberAsync(server, "Ada");
        await using var db = server.Database.Settings.CreateContext();
        // Thirty real records, some with DOIs and journal references, some old-style ids.
        var picked = await db.Papers.OrderBy(p => p.ArxivId).Take(25).Select(p => p.Id)
            .Concat(db.Papers.Where(p => p.Doi != null).OrderBy(p => p.Id).Take(5).Select(p => p.Id)).Distinct().ToListAsync();
        var (c, _) = await Collections.CreateAsync(db, ada.User.Id, "Export me", false, default);
        foreach (var id in picked) Assert.True(await Collections.AddAsync(db, c!, id, default));

        var bib = await ada.Web.GetStringAsync($"/c/{c!.ShareSlug}/export.bib");
        Assert.Equal(picked.Count, bib.Split("@misc{").Length - 1);

        // Back in through the import form, into the Reading list: every entry is found.
        var (status, html) = await ImportAsync(ada.Web, Encoding.UTF8.GetBytes(bib));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"Imported {picked.Count} entries: {picked.Count} added, 0 already there, 0 not found here.", html);
        var reading = await db.Set<Collection>().SingleAsync(x => x.UserId == ada.User.Id && x.IsDefault);
        Assert.Equal(picked.OrderBy(x => x), (await db.Set<CollectionItem>().Where(i => i.CollectionId == reading.Id).Select(i => i.PaperId).ToListAsync()).OrderBy(x => x));

        // A Zotero-style file: an arXiv URL, "arXiv:" in the journal, a DOI, a title only, and one paper that is not here.
        var withDoi = await db.Papers.Where(p => p.Doi != null).OrderByDescending(p => p.Id).FirstAsync();
        var byUrl = await db.Papers.OrderByDescending(p => p.ArxivId).Skip(3).FirstAsync();
        var byJournal = await db.Papers.OrderByDescending(p => p.ArxivId).Skip(4).FirstAsync();
        var byTitle = await db.Papers.Where(p => p.Title.Length > 40 && !p.Title.Contains("$") && !p.Title.Contains("\\")).OrderByDescending(p => p.ArxivId).Skip(5).FirstAsync();
        var titleField = "{{" + byTitle.Title.ToUpperInvariant() + "}}"; // Zotero protects capitals with an inner group
        var zotero = string.Join('\n',
            "% exported by Zotero",
            "@article{url2020, title = {Something}, url = {https://arxiv.org/abs/" + byUrl.ArxivId + "v2}, year = 2020}",
            "@article{journal2020, title = \"Other\", journal = {arXiv preprint arXiv:" + byJournal.ArxivId + "}}",
            "@article{doi2020, title = {Published version}, doi = {https://doi.org/" + withDoi.Doi!.ToUpperInvariant() + "}}",
            "@inproceedings{title2020, title = " + titleField + ", booktitle = {Proc.}}",
            "@book{missing1999, title = {A Book That Is Not On arXiv At All}, author = {Nobody, A.}}");
        var (c2, _) = await Collections.CreateAsync(db, ada.User.Id, "Zotero", false, default);
        (status, html) = await ImportAsync(ada.Web, Encoding.UTF8.GetBytes(zotero), c2!.Id);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Imported 5 entries: 4 added, 0 already there, 1 not found here.", html);
        Assert.Contains("missing1999 (A Book That Is Not On arXiv At All)", html);
        var got = await db.Set<CollectionItem>().Where(i => i.CollectionId == c2.Id).Select(i => i.PaperId).ToListAsync();
        Assert.Equal(new[] { byUrl.Id, byJournal.Id, withDoi.Id, byTitle.Id }.OrderBy(x => x), got.OrderBy(x => x));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task HostileBibTexFilesGetAClearErrorAndWriteNothing(string engine)
    {
        await using var server = await StartAsync(engine);
        await SeedPapersAsync(server, 1);
        var ada = await MemberAsync(server, "Ada");
        var good = "@misc{a, eprint = {2501.00001}, archivePrefix = {arXiv}}\n";
        var cases = new (byte[] File, HttpStatusCode Status, string Message)[]
        {
            (Encoding.UTF8.GetBytes(good + new string(' ', BibTexImport.MaxBytes)), HttpStatusCode.RequestEntityTooLarge, "the limit is 1 MB"),
            ([.. Encoding.UTF8.GetBytes(good), 0x00, 0x01, 0xFF, 0x00], HttpStatusCode.BadRequest, "binary file"),
            (Encoding.UTF8.GetBytes(good + "@article{broken, title = {Unbalanced {braces}, year = 2020}\n@misc{b, title={ok}}"), HttpStatusCode.BadRequest, "never closed"),
            (Encoding.UTF8.GetBytes("just some text, no entries"), HttpStatusCode.BadRequest, "No BibTeX entries"),
            (Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, BibTexImport.MaxEntries + 1).Select(i => $"@misc{{k{i},}}\n"))), HttpStatusCode.BadRequest, "more than 5,000 entries"),
        };
        foreach (var (file, expected, message) in cases)
        {
            var (status, html) = await ImportAsync(ada.Web, file);
            var error = System.Text.RegularExpressions.Regex.Match(html, "class=\"errors\"[^>]*>([^<]*)<").Groups[1].Value;
            Assert.True(status == expected && error.Contains(message), $"{status}: {error}");
            Assert.Contains("Nothing was imported", html.Replace("nothing was imported", "Nothing was imported"));
        }
        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(0, await db.Set<CollectionItem>().CountAsync());
    }

    [Fact]
    public async Task AFileOverTheServersRequestLimitGetsAReadablePageNotACutConnection()
    {
        // Kestrel refuses request bodies over 30 MB while the form is read, and the upload ended in a broken pipe
        // ("connection reset" in a browser); it must end in the library page saying why.
        await using var server = await StartAsync(TestDatabase.Sqlite);
        var ada = await MemberAsync(server, "Ada");
        var file = Encoding.UTF8.GetBytes("@misc{a, eprint = {2501.00001}}\n" + new string(' ', 31 * 1024 * 1024));
        var (status, html) = await ImportAsync(ada.Web, file);
        Assert.True(status == HttpStatusCode.RequestEntityTooLarge, $"{(int)status}: {html[..Math.Min(html.Length, 300)]}");
        Assert.Contains("Nothing was saved: the upload is 31.0 MB, and this site takes at most 28.6 MB in one request (a BibTeX import at most 1 MB).", html);
        Assert.Contains("<h1>Upload too large</h1>", html);
        Assert.Contains("<html", html);
        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(0, await db.Set<CollectionItem>().CountAsync());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task DeletingAnAccountDeletesItsLibraryFeedbackFollowsAndSavedSearches(string engine)
    {
        await using var server = await StartAsync(engine);
        var ids = await SeedPapersAsync(server, 2);
        var ada = await MemberAsync(server, "Ada");
        var eve = await MemberAsync(server, "Eve");
        await using (var db = server.Database.Settings.CreateContext())
        {
            foreach (var who in new[] { ada.User.Id, eve.User.Id })
            {
                var reading = await Collections.ReadingListAsync(db, who, default);
                await Collections.AddAsync(db, reading, ids[0], default);
                await Feedback.SetNotInterestedAsync(db, who, ids[1], true, default);
                Assert.Null(await Follows.SetAsync(db, who, FollowKind.Author, "Ada Lovelace", true, default));
                Assert.Null(await Follows.SetAsync(db, who, FollowKind.Category, "cs.LG", true, default));
                Assert.NotNull((await SavedSearches.CreateAsync(db, who, null, new DailyPapers.Search.SearchRequest("graphs"), default)).Saved);
                await LibraryEndpoints.ForYouFeedTokenAsync(db, who, false, default);
            }
        }
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<DailyPapers.Community.AppUser>>();
            Assert.True((await users.DeleteAsync((await users.FindByIdAsync(ada.User.Id))!)).Succeeded);
        }
        await using var check = server.Database.Settings.CreateContext();
        var gone = ada.User.Id;
        Assert.Equal(0, await check.Set<Collection>().CountAsync(c => c.UserId == gone));
        Assert.Equal(1, await check.Set<CollectionItem>().CountAsync()); // Eve's
        Assert.Equal(0, await check.Set<NotInterested>().CountAsync(n => n.UserId == gone));
        Assert.Equal(0, await check.Set<Follow>().CountAsync(f => f.UserId == gone));
        Assert.Equal(0, await check.Set<SavedSearch>().CountAsync(s => s.UserId == gone));
        Assert.Equal(0, await check.Set<ForYouFeed>().CountAsync(f => f.UserId == gone));
        Assert.Equal(2, await check.Set<Follow>().CountAsync(f => f.UserId == eve.User.Id));
    }
}
