using System.Security.Claims;
using DailyPapers.Api;
using DailyPapers.Data;
using DailyPapers.Mail;
using MailKit.Net.Smtp;
using MailKit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DailyPapers.Digest;

/// <summary>The digest subscription of the caller's account email, with the preferences the subscribe page offers.</summary>
public sealed record V1Subscription(
    string Email, string State, string Frequency, IReadOnlyList<string> Categories, IReadOnlyList<string> Keywords, IReadOnlyList<string> Authors,
    DateTime CreatedAt, DateTime? ConfirmedAt)
{
    public static V1Subscription From(Subscription s) => new(
        s.Email, s.State.ToString().ToLowerInvariant(), s.Frequency.ToString().ToLowerInvariant(),
        DigestPapers.SplitCategories(s.Categories).ToList(), DigestPapers.SplitLines(s.Keywords).ToList(), DigestPapers.SplitLines(s.Authors).ToList(),
        DateTime.SpecifyKind(s.CreatedAt, DateTimeKind.Utc), s.ConfirmedAt is { } c ? DateTime.SpecifyKind(c, DateTimeKind.Utc) : null);
}

/// <summary>Frequency is daily or weekly; categories are codes or archives (cs.CL, cs); keywords and authors are followed in the digest.</summary>
public sealed record V1SubscriptionInput(string? Frequency, IReadOnlyList<string>? Categories, IReadOnlyList<string>? Keywords, IReadOnlyList<string>? Authors);

/// <summary>The subscription after a change; <c>ConfirmationMailed</c> tells whether a confirmation link went out with this request.</summary>
public sealed record V1SubscriptionChange(V1Subscription Subscription, bool ConfirmationMailed, string Message);

/// <summary>
/// /api/v1/digest/subscription. Subscribing from the API uses the same double opt-in as the subscribe page (which does not
/// look at accounts): until the link mailed to the account's address is followed, nothing is sent. A confirmed
/// subscription's preferences change at once, as through the signed preferences link of every digest.
/// </summary>
public static class V1DigestEndpoints
{
    public static RouteGroupBuilder MapDigestV1(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/digest/subscription").WithTags("Digest");
        g.MapGet("/", Get).RequireAuthorization(ApiTokenAuthenticationHandler.ReadPolicy).RequireCors(ApiSetup.ReadCors)
            .WithSummary("The digest subscription of the caller's email address (404 when there is none)");
        g.MapPut("/", Put).RequireAuthorization(ApiTokenAuthenticationHandler.WritePolicy)
            .WithSummary("Subscribes the caller's email address to the digest, or changes the frequency and interests (write scope)")
            .WithDescription("A new, unconfirmed or ended subscription gets a confirmation link by mail (double opt-in, as on the subscribe page): "
                + "202 with state 'unconfirmed'. A confirmed one is changed at once: 200. 503 when the confirmation mail cannot be sent.");
        g.MapDelete("/", Delete).RequireAuthorization(ApiTokenAuthenticationHandler.WritePolicy)
            .WithSummary("Unsubscribes the caller's email address (write scope)");
        return v1;
    }

    internal static async Task<Results<Ok<V1Subscription>, ProblemHttpResult>> Get(ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (await EmailOfAsync(db, user, ct) is not { } email) return NoAccount();
        var sub = await db.Set<Subscription>().AsNoTracking().FirstOrDefaultAsync(s => s.Email == email, ct);
        return sub is null ? NoSubscription(email) : TypedResults.Ok(V1Subscription.From(sub));
    }

    internal static async Task<Results<Ok<V1SubscriptionChange>, Accepted<V1SubscriptionChange>, ValidationProblem, ProblemHttpResult>> Put(
        [FromBody] V1SubscriptionInput? body, ClaimsPrincipal user, AppDbContext db, MailSender sender, DigestMail compose,
        IOptions<DigestSettings> settings, ILoggerFactory logs, CancellationToken ct)
    {
        if (body is null) return TypedResults.Problem(statusCode: 400, title: "Invalid request", detail: "Send a JSON body such as {\"frequency\": \"weekly\", \"categories\": [\"cs.CL\"]}.");
        if (await EmailOfAsync(db, user, ct) is not { } email) return NoAccount();
        var errors = Subscriptions.Validate(
            new(email, body.Frequency, string.Join(' ', body.Categories ?? []), string.Join('\n', body.Keywords ?? []), string.Join('\n', body.Authors ?? [])),
            needEmail: false, out _, out var frequency, out var categories, out var keywords, out var authors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors.ToDictionary(e => char.ToLowerInvariant(e.Key[0]) + e.Key[1..], e => new[] { e.Value }));

        var before = await db.Set<Subscription>().AsNoTracking().FirstOrDefaultAsync(s => s.Email == email, ct);
        if (before?.State == SubscriptionState.Confirmed)
        {
            await UpdatePreferencesAsync(db, before.Id, frequency, categories, keywords, authors, ct);
            var now = await db.Set<Subscription>().AsNoTracking().FirstAsync(s => s.Id == before.Id, ct);
            return TypedResults.Ok(new V1SubscriptionChange(V1Subscription.From(now), false, "Your digest preferences were saved."));
        }
        bool mailed;
        try
        {
            mailed = await Subscriptions.SubscribeAsync(db, sender, compose, settings.Value, email, frequency, categories, keywords, authors, ct);
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or IOException or System.Net.Sockets.SocketException or ServiceNotConnectedException)
        {
            logs.CreateLogger("DailyPapers.Api").LogWarning(ex, "Could not send a confirmation mail");
            return TypedResults.Problem(statusCode: 503, title: "Mail unavailable",
                detail: "The confirmation email could not be sent just now. Nothing was lost: please try again in a few minutes.");
        }
        db.ChangeTracker.Clear();
        var after = await db.Set<Subscription>().AsNoTracking().FirstAsync(s => s.Email == email, ct);
        if (!mailed)
        {
            // A link went out minutes ago and SubscribeAsync holds back a second one: still keep what was asked for.
            await UpdatePreferencesAsync(db, after.Id, frequency, categories, keywords, authors, ct);
            after = await db.Set<Subscription>().AsNoTracking().FirstAsync(s => s.Id == after.Id, ct);
        }
        var message = mailed
            ? $"A confirmation link was mailed to {email}; the digest starts once it is followed."
            : $"A confirmation link was mailed to {email} a few minutes ago; the digest starts once it is followed.";
        return TypedResults.Accepted((string?)null, new V1SubscriptionChange(V1Subscription.From(after), mailed, message));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> Delete(ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (await EmailOfAsync(db, user, ct) is not { } email) return NoAccount();
        var id = await db.Set<Subscription>().Where(s => s.Email == email).Select(s => (long?)s.Id).FirstOrDefaultAsync(ct);
        return id is { } i && await Subscriptions.UnsubscribeAsync(db, i, ct) ? TypedResults.NoContent() : NoSubscription(email);
    }

    private static Task<int> UpdatePreferencesAsync(AppDbContext db, long id, DigestFrequency frequency, string categories, string keywords, string authors, CancellationToken ct) =>
        db.Set<Subscription>().Where(s => s.Id == id).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.Frequency, frequency).SetProperty(s => s.Categories, categories)
            .SetProperty(s => s.Keywords, keywords).SetProperty(s => s.Authors, authors), ct);

    private static async Task<string?> EmailOfAsync(AppDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var email = await db.Users.Where(u => u.Id == id).Select(u => u.Email).FirstOrDefaultAsync(ct);
        return email is null ? null : Subscriptions.NormalizeEmail(email);
    }

    private static ProblemHttpResult NoAccount() =>
        TypedResults.Problem(statusCode: 404, title: "Not found", detail: "The account this token belongs to has no email address any more.");

    private static ProblemHttpResult NoSubscription(string email) =>
        TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"{email} has no digest subscription; PUT one to subscribe.");
}
