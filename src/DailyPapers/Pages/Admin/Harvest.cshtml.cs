using DailyPapers.Data;
using DailyPapers.Ingest;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DailyPapers.Pages.Admin;

/// <summary>One harvested source and set: its checkpoint, last outcome and when the scheduler takes it next.</summary>
public sealed record HarvestSourceRow(string Source, string Set, HarvestState? State, string NextDue);

/// <summary>
/// The harvest admin: each source's state, the run history, and "Run now", which starts the scheduler's own
/// operation in the background under the same lock, so it never overlaps a running harvest.
/// </summary>
public sealed class HarvestAdminModel(AppDbContext db, HarvestRunner runner, HarvestLock gate, IOptions<HarvestSettings> options, TimeProvider time) : AdminPageModel
{
    public bool Running { get; private set; }
    public List<HarvestSourceRow> Sources { get; private set; } = [];
    public List<HarvestRun> Runs { get; private set; } = [];
    public IReadOnlyList<string> Sets => options.Value.EffectiveSets;
    public HarvestSettings Schedule => options.Value;

    public async Task<IActionResult> OnGetAsync([FromQuery] string? message, CancellationToken ct)
    {
        if (Deny() is { } denied) return denied;
        if (!Authorized) return Page();
        Message = message;
        Running = await gate.IsHeldAsync(ct);
        var now = time.GetUtcNow();
        var states = await db.Set<HarvestState>().OrderBy(s => s.Source).ThenBy(s => s.SetSpec).ToListAsync(ct);
        var o = options.Value;
        foreach (var set in o.EffectiveSets)
        {
            var state = states.FirstOrDefault(s => s.Source == "oai" && s.SetSpec == set);
            var next = !o.Enabled ? "scheduler off (Harvest:Enabled)"
                : o.IsDue(now, state?.LastSuccessAt) && !HarvestSettings.MayAttempt(now, state?.NextAttemptAt)
                    ? $"retry at {state!.NextAttemptAt:yyyy-MM-dd HH:mm} UTC ({state.ConsecutiveFailures} failed in a row)"
                : o.IsDue(now, state?.LastSuccessAt) ? $"due now (checked every {o.CheckEvery.TotalMinutes:0} min)"
                : o.NextSlot(now).UtcDateTime.ToString("yyyy-MM-dd HH:mm") + " UTC";
            Sources.Add(new HarvestSourceRow("oai", set, state, next));
        }
        foreach (var s in states.Where(s => !(s.Source == "oai" && o.EffectiveSets.Contains(s.SetSpec))))
            Sources.Add(new HarvestSourceRow(s.Source, s.SetSpec, s, "on demand (CLI)"));
        Runs = await db.Set<HarvestRun>().OrderByDescending(r => r.Id).Take(100).ToListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRunAsync([FromForm] string? set, CancellationToken ct)
    {
        if (Deny() is { } denied) return denied;
        if (!Authorized) return RedirectToPage();
        var o = options.Value;
        IReadOnlyList<string> sets = o.EffectiveSets;
        if (!string.IsNullOrEmpty(set))
        {
            if (!o.EffectiveSets.Contains(set)) return RedirectToPage(new { message = $"'{set}' is not one of the configured sets ({string.Join(", ", o.EffectiveSets)})." });
            sets = [set];
        }
        var started = await runner.TryStartAsync(sets, "admin", ct);
        return RedirectToPage(new
        {
            message = started
                ? $"Harvest of {string.Join(", ", sets)} started. Its run appears below; reload to follow it."
                : "A harvest is already running (scheduled, started here, or on another node). Nothing was started; try again when it has finished.",
        });
    }

    public static string When(DateTime? t) => t is { } v ? v.ToString("yyyy-MM-dd HH:mm:ss") : "–";

    public string Duration(HarvestRun r) =>
        r.FinishedAt is { } f ? $"{(f - r.StartedAt).TotalSeconds:0.0} s" : Running && r.Id == Runs.Where(x => x.FinishedAt is null).Max(x => x.Id) ? "running" : "interrupted";
}
