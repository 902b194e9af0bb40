using System.Globalization;
using DailyPapers.Ingest;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DailyPapers.Pages.Admin;

/// <summary>One row of the reconciliation table: a set and day, and its check (null when not checked yet).</summary>
public sealed record IngestDayRow(string Set, DateOnly Day, IngestDay? Check);

/// <summary>
/// Ingestion health: each configured set's announcement days reconciled against arXiv's listings, with "re-harvest
/// this day" (the harvest core operation for that day alone) and "check now".
/// </summary>
public sealed class IngestAdminModel(IngestHealth health, HarvestRunner runner, HarvestLock gate, IOptions<HarvestSettings> options) : AdminPageModel
{
    public IngestSummary Summary { get; private set; } = null!;
    public List<IngestDayRow> Rows { get; private set; } = [];
    public bool Running { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] string? message, CancellationToken ct)
    {
        if (Deny() is { } denied) return denied;
        if (!Authorized) return Page();
        Message = message;
        Running = await gate.IsHeldAsync(ct);
        Summary = await health.SummaryAsync(ct);
        foreach (var day in health.Window)
            foreach (var set in options.Value.EffectiveSets)
                Rows.Add(new IngestDayRow(set, day, Summary.Days.FirstOrDefault(d => d.SetSpec == set && d.Day == day)));
        return Page();
    }

    public async Task<IActionResult> OnPostReharvestAsync([FromForm] string? set, [FromForm] string? day, CancellationToken ct)
    {
        if (Deny() is { } denied) return denied;
        if (!Authorized) return RedirectToPage();
        var sets = options.Value.EffectiveSets;
        if (set is null || !sets.Contains(set))
            return RedirectToPage(new { message = $"'{set}' is not one of the configured sets ({string.Join(", ", sets)})." });
        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return RedirectToPage(new { message = $"'{day}' is not a day (YYYY-MM-DD)." });
        if (d > health.LatestAnnouncementDay)
            return RedirectToPage(new { message = $"{d:yyyy-MM-dd} has not been announced yet (latest: {health.LatestAnnouncementDay:yyyy-MM-dd})." });
        var started = await runner.TryStartDayAsync(set, d, health, "admin", ct);
        return RedirectToPage(new
        {
            message = started
                ? $"Re-harvest of {set} for {d:yyyy-MM-dd} started; the day is checked again when it has finished. Reload to follow it."
                : "A harvest is running (scheduled, started here, or on another node). Nothing was started; try again when it has finished.",
        });
    }

    public async Task<IActionResult> OnPostCheckAsync(CancellationToken ct)
    {
        if (Deny() is { } denied) return denied;
        if (!Authorized) return RedirectToPage();
        var started = await runner.TryStartReconcileAsync(options.Value.EffectiveSets, health, "admin", ct);
        return RedirectToPage(new
        {
            message = started
                ? "Checking the days not yet complete against arXiv (one listing per day, 3 s apart). Reload to follow it."
                : "A harvest is running; nothing was started. The check runs by itself after each harvest.",
        });
    }

    public static string Count(int? n) => n?.ToString("N0", CultureInfo.InvariantCulture) ?? "–";
}
