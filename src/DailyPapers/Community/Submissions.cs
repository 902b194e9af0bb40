using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DailyPapers.Community;

public enum SubmissionOutcome { Added, Duplicate, InvalidId, UnknownPaper, TooOld, OverDailyLimit, SourceUnavailable }

public sealed record SubmissionResult(SubmissionOutcome Outcome, string? ArxivId, string Message);

/// <summary>A member brings a paper the list missed: by arXiv id or URL, within the age and daily limits.</summary>
/// <remarks>Metadata comes from <see cref="ArxivApiClient"/> and is written by <see cref="PaperUpsert"/>, like every other source.</remarks>
public sealed class Submissions(AppDbContext db, PaperUpsert upsert, ArxivApiClient arxiv, IOptions<CommunitySettings> settings, IOutputCacheStore cache)
{
    public async Task<SubmissionResult> SubmitAsync(string userId, string? idOrUrl, DateTime nowUtc, CancellationToken ct = default)
    {
        var s = settings.Value;
        if (!ArxivId.TryParse(idOrUrl?.Trim(), out var id, out var error))
            return new(SubmissionOutcome.InvalidId, null, error);
        var existing = await db.Papers.Where(p => p.ArxivId == id.BaseId).Select(p => p.ArxivId).FirstOrDefaultAsync(ct);
        if (existing is not null)
            return new(SubmissionOutcome.Duplicate, existing, $"{existing} is already here.");
        // Ids are numbered by the month arXiv announced them, so v1 came before that month's end (plus a day: the US
        // evening announcement is the next UTC day): an old id is refused without asking arXiv.
        var latestPossible = id.Month.AddMonths(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(1);
        if (nowUtc - latestPossible > TimeSpan.FromDays(s.SubmissionMaxAgeDays))
            return new(SubmissionOutcome.TooOld, null, $"{id.BaseId} is from {id.Month:MMMM yyyy} (its number says so); only papers from the last {s.SubmissionMaxAgeDays} days can be submitted.");
        var dayStart = DateOnly.FromDateTime(nowUtc).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var today = await db.Set<Submission>().CountAsync(x => x.UserId == userId && x.CreatedAt >= dayStart, ct);
        if (today >= s.SubmissionsPerUserPerDay)
            return new(SubmissionOutcome.OverDailyLimit, null, $"You can submit {s.SubmissionsPerUserPerDay} papers a day; try again tomorrow (UTC).");

        PaperRecord? record;
        try
        {
            record = await arxiv.LookUpAsync(id, ct);
        }
        catch (ArxivHttpException ex)
        {
            return new(SubmissionOutcome.SourceUnavailable, null, $"{ex.Reason}, so {id.BaseId} could not be looked up. Nothing was saved; try again in a few minutes.");
        }
        catch (ArxivFormatException)
        {
            return new(SubmissionOutcome.SourceUnavailable, null, $"arXiv's answer could not be read, so {id.BaseId} could not be looked up. Nothing was saved; try again in a few minutes.");
        }
        if (record is null)
            return new(SubmissionOutcome.UnknownPaper, null, $"arXiv has no paper {id.BaseId}.");
        var age = nowUtc - record.FirstSubmittedAt;
        if (age > TimeSpan.FromDays(s.SubmissionMaxAgeDays))
            return new(SubmissionOutcome.TooOld, null, $"{id.BaseId} was published {record.FirstSubmittedAt:d MMMM yyyy}; only papers from the last {s.SubmissionMaxAgeDays} days can be submitted.");

        // Listed on the day it was submitted here, like an announcement.
        await upsert.UpsertAsync([record with { AnnouncedOn = DateOnly.FromDateTime(nowUtc) }], ct);
        var paperId = await db.Papers.Where(p => p.ArxivId == record.ArxivId).Select(p => p.Id).SingleAsync(ct);
        db.Add(new Submission { PaperId = paperId, UserId = userId, CreatedAt = nowUtc });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Someone else submitted it at the same moment: theirs is the submission, ours points to it.
            db.ChangeTracker.Clear();
            return new(SubmissionOutcome.Duplicate, record.ArxivId, $"{record.ArxivId} is already here.");
        }
        db.ChangeTracker.Clear();
        // The signal the curated list and the ranking read (Papers/PaperSignals).
        await db.Papers.Where(p => p.Id == paperId).ExecuteUpdateAsync(u => u.SetProperty(p => p.Submitted, true), ct);
        await cache.EvictByTagAsync(CachePolicies.PapersTag, ct);
        return new(SubmissionOutcome.Added, record.ArxivId, $"{record.ArxivId} is on today's list.");
    }
}
