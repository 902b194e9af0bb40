using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Ingest;
using DailyPapers.Mail;
using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DailyPapers.Tests.Digest;

/// <summary>Papers with known upvotes on one day, subscribers, and a runner wired like the app's.</summary>
public static class DigestTestData
{
    public static readonly DateOnly Day = new(2019, 12, 2);
    public static readonly DateOnly NextDay = new(2019, 12, 3);

    /// <summary>Title, upvotes, category, author, abstract: the top three by upvotes, then one match each for category, author and keyword, then one that matches nothing.</summary>
    public static readonly (string Id, string Title, int Upvotes, string Category, string Author, string Abstract)[] Papers =
    [
        ("1912.00001", @"Bounds on $\alpha$-divergences for $\mathbb{R}^2$ data", 50, "cs.LG", "Ada Lovelace", @"We bound $\alpha$ and $\beta$ with \'etale methods."),
        ("1912.00002", "Graph networks for parsing", 40, "cs.CL", "Alan Turing", "Parsing with graphs."),
        ("1912.00003", "Seeing in the dark", 30, "cs.CV", "Hedy Lamarr", "Low light imaging."),
        ("1912.00004", "Protein folding with transformers", 2, "q-bio.BM", "Rosalind Franklin", "Folding proteins."),
        ("1912.00005", "Sparse matrix sketching", 1, "math.NA", "Grace Hoppertest", "Sketches of sparse matrices."),
        ("1912.00006", "Schedules for annealers", 0, "cs.DS", "John Doe", "A quantum annealing schedule that is fast."),
        ("1912.00007", "Nothing to see", 0, "stat.ME", "Jane Roe", "Irrelevant."),
    ];

    public static async Task SeedPapersAsync(DatabaseSettings db, DateOnly? day = null, string idPrefix = "1912.0")
    {
        var d = day ?? Day;
        var records = Papers.Select(p => new PaperRecord
        {
            ArxivId = idPrefix + p.Id[6..],
            Title = p.Title,
            Abstract = p.Abstract,
            Authors = [new AuthorName(p.Author)],
            Categories = [p.Category],
            Versions = [new VersionInfo(1, d.ToDateTime(new TimeOnly(10, 0), DateTimeKind.Utc).AddDays(-1))],
            AnnouncedOn = d,
        }).ToList();
        await new PaperUpsert(db).UpsertAsync(records);
        await using var ctx = db.CreateContext();
        foreach (var p in Papers)
        {
            var id = idPrefix + p.Id[6..];
            await ctx.Papers.Where(x => x.ArxivId == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Upvotes, p.Upvotes));
        }
    }

    public static async Task<List<long>> AddConfirmedAsync(DatabaseSettings db, IEnumerable<string> emails, DigestFrequency frequency = DigestFrequency.Daily,
        string categories = "", string keywords = "", string authors = "")
    {
        await using var ctx = db.CreateContext();
        var subs = emails.Select(e => new Subscription
        {
            Email = e, Frequency = frequency, State = SubscriptionState.Confirmed, CreatedAt = DateTime.UtcNow, ConfirmedAt = DateTime.UtcNow,
            Categories = categories, Keywords = keywords, Authors = authors,
        }).ToList();
        ctx.AddRange(subs);
        await ctx.SaveChangesAsync();
        return subs.ConvertAll(s => s.Id);
    }

    public static DigestSettings Settings(Action<DigestSettings>? configure = null)
    {
        var s = new DigestSettings
        {
            PublicBaseUrl = "https://papers.example.test",
            TopPapers = 3,
            RetryFirstDelaySeconds = 0.1,
            RetryMaxDelaySeconds = 0.5,
            RetryForSeconds = 60,
            SchedulerEnabled = false,
        };
        configure?.Invoke(s);
        return s;
    }

    public static MailSettings Mail(int port, Action<MailSettings>? configure = null)
    {
        var m = new MailSettings { Host = "127.0.0.1", Port = port, Tls = MailKit.Security.SecureSocketOptions.None, TimeoutSeconds = 10 };
        configure?.Invoke(m);
        return m;
    }

    public static (DigestRunner Runner, DigestMail Mail, DigestLinks Links) Runner(DatabaseSettings db, DigestSettings digest, MailSettings mail)
    {
        var links = new DigestLinks(Options.Create(digest), db);
        var compose = new DigestMail(links, Options.Create(mail), Options.Create(digest));
        return (new DigestRunner(db, Options.Create(digest), Options.Create(mail), compose, NullLogger<DigestRunner>.Instance), compose, links);
    }
}
