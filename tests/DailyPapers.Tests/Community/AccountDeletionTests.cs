using System.Net;
using DailyPapers.Api;
using DailyPapers.Community;
using DailyPapers.Digest;
using DailyPapers.Library;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Community.CommunityKit;
using static DailyPapers.Tests.Library.LibraryKit;

namespace DailyPapers.Tests.Community;

public sealed class AccountDeletionTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task DeletingYourAccountFromThePageRemovesEverythingYoursAndKeepsOtherMembersReplies(string engine)
    {
        await using var server = await StartAsync(engine);
        var ids = await SeedPapersAsync(server, 2);
        var ada = await MemberAsync(server, "Ada");
        var eve = await MemberAsync(server, "Eve");
        const string page = "/papers/2501.00001";
        foreach (var who in new[] { ada.Web, eve.Web })
            Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(who, page, "/vote/2501.00001", new() { ["returnUrl"] = page })).StatusCode);
        // Ada's root comment, Eve's reply to it, Ada's reply to Eve, and Eve's reply to that: Eve's two must survive.
        async Task<long> CommentAsync(HttpClient who, long? parent, string body)
        {
            var fields = new Dictionary<string, string> { ["paperId"] = ids[0].ToString(), ["body"] = body };
            if (parent is { } p) fields["parentId"] = p.ToString();
            var res = await PostFormAsync(who, page, "/comments/new", fields);
            Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
            return long.Parse(res.Headers.Location!.OriginalString.Split("#c-")[1]);
        }
        var root = await CommentAsync(ada.Web, null, "Ada's question");
        var eveReply = await CommentAsync(eve.Web, root, "Eve answers");
        var adaAgain = await CommentAsync(ada.Web, eveReply, "Ada follows up");
        var eveLast = await CommentAsync(eve.Web, adaAgain, "Eve again");
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(ada.Web, page, "/library/save/2501.00002", new() { ["on"] = "true" })).StatusCode);
        await using (var db = server.Database.Settings.CreateContext())
        {
            db.Add(new Subscription { Email = ada.User.Email!.ToLowerInvariant(), State = SubscriptionState.Confirmed, Keywords = "graphs", CreatedAt = DateTime.UtcNow, ConfirmedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
            Assert.Equal(2, (await db.Papers.SingleAsync(p => p.Id == ids[0])).Upvotes);
            Assert.Equal(4, (await db.Papers.SingleAsync(p => p.Id == ids[0])).CommentCount);
        }

        // The page says what goes; a wrong password deletes nothing.
        var form = await ada.Web.GetStringAsync("/account/delete");
        Assert.Contains("There is no undo", form);
        Assert.Contains("/account/delete", await ada.Web.GetStringAsync($"/users/{ada.User.Id}"));
        var wrong = await PostFormAsync(ada.Web, "/account/delete", "/account/delete", new() { ["password"] = "not my password" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("nothing was deleted", await wrong.Content.ReadAsStringAsync());
        await using (var db = server.Database.Settings.CreateContext())
            Assert.True(await db.Users.AnyAsync(u => u.Id == ada.User.Id));

        var done = await PostFormAsync(ada.Web, "/account/delete", "/account/delete", new() { ["password"] = Password });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("Your account is deleted", await done.Content.ReadAsStringAsync());

        await using var check = server.Database.Settings.CreateContext();
        var gone = ada.User.Id;
        Assert.False(await check.Users.AnyAsync(u => u.Id == gone));
        Assert.Equal(0, await check.Set<Vote>().CountAsync(v => v.UserId == gone));
        Assert.Equal(0, await check.Set<Comment>().CountAsync(c => c.UserId == gone));
        Assert.Equal(0, await check.Set<ApiToken>().CountAsync(t => t.UserId == gone));
        Assert.Equal(0, await check.Set<Collection>().CountAsync(c => c.UserId == gone));
        var paper = await check.Papers.AsNoTracking().SingleAsync(p => p.Id == ids[0]);
        Assert.Equal(1, paper.Upvotes);
        Assert.Equal(2, paper.CommentCount);
        var kept = await check.Set<Comment>().AsNoTracking().Where(c => c.PaperId == ids[0]).OrderBy(c => c.Id).ToListAsync();
        Assert.Equal([eveReply, eveLast], kept.Select(c => c.Id));
        Assert.Null(kept[0].ParentId);
        Assert.Equal(eveReply, kept[1].ParentId);
        var sub = await check.Set<Subscription>().AsNoTracking().SingleAsync(s => s.Email == ada.User.Email!.ToLowerInvariant());
        Assert.Equal(SubscriptionState.Unsubscribed, sub.State);
        Assert.Equal("", sub.Keywords);
        // Eve keeps her vote, comments and account; Ada's session and tokens no longer work.
        Assert.Equal(1, await check.Set<Vote>().CountAsync(v => v.UserId == eve.User.Id));
        var thread = await eve.Web.GetStringAsync(page);
        Assert.Contains("Eve answers", thread);
        Assert.Contains("Eve again", thread);
        Assert.DoesNotContain("Ada follows up", thread);
        var me = await ada.Web.GetAsync("/library");
        Assert.NotEqual(HttpStatusCode.OK, me.StatusCode);
        var (status, _) = await CallAsync(server, HttpMethod.Get, "/api/v1/me", ada.Read);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }
}
