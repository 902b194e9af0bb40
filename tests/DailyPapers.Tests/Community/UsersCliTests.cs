using System.Net;
using System.Text.RegularExpressions;
using DailyPapers.Cli;
using DailyPapers.Tests.Support;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

public sealed class UsersCliTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task CreateAdminWithoutPasswordPrintsAOneTimeLinkThatSetsIt(string engine)
    {
        await using var server = await StartAsync(engine);
        var email = UniqueEmail("admin");
        var output = new StringWriter();
        var stdout = Console.Out;
        int rc;
        Console.SetOut(output);
        try
        {
            rc = await CliApp.RunAsync(["users", "create-admin", email, "--data-dir", server.Database.DataDir,
                "--database", server.Database.Settings.ConnectionString, "--public-url", server.BaseAddress.ToString()]);
        }
        finally
        {
            Console.SetOut(stdout);
        }
        Assert.Equal(0, rc);
        var link = new Uri(Regex.Match(output.ToString(), @"https?://\S+/account/reset\?\S+").Value).PathAndQuery;

        var client = NewClient(server);
        Assert.Equal(HttpStatusCode.OK, (await PostFormAsync(client, link, link, new() { ["password"] = Password })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostFormAsync(client, link, link, new() { ["password"] = "another passphrase" })).StatusCode);
        var admin = await LoggedInClientAsync(server, email);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/moderation/reports")).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AddRoleMakesAMemberAModerator(string engine)
    {
        await using var server = await StartAsync(engine);
        var email = UniqueEmail("mod");
        await CreateMemberAsync(server, email);
        var rc = await CliApp.RunAsync(["users", "add-role", email, "moderator", "--data-dir", server.Database.DataDir, "--database", server.Database.Settings.ConnectionString]);
        Assert.Equal(0, rc);
        var client = await LoggedInClientAsync(server, email);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/moderation/reports")).StatusCode);
        Assert.Equal(1, await CliApp.RunAsync(["users", "add-role", UniqueEmail("nobody"), "moderator", "--data-dir", server.Database.DataDir, "--database", server.Database.Settings.ConnectionString]));
    }
}
