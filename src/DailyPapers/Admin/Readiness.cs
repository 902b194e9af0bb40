using System.Text.Json;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DailyPapers.Admin;

/// <summary>
/// Readiness: is ingestion current (harvest lag, from the reconciliation) and has this node's search index caught up
/// with the database? Either being behind is Degraded, not Unhealthy: the node still serves, it only serves old news.
/// </summary>
internal sealed class IngestionHealthCheck(IngestHealth health, DatabaseSettings db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var summary = await health.CachedSummaryAsync(ct);
        await using var ctx = db.CreateContext();
        var sets = health.Schedule.EffectiveSets;
        var harvested = await ctx.Set<HarvestState>().Where(s => s.Source == "oai" && sets.Contains(s.SetSpec)).ToDictionaryAsync(s => s.SetSpec, s => s.LastSuccessAt, ct);
        var data = new Dictionary<string, object>
        {
            ["latestAnnouncement"] = summary.LatestAnnouncement.ToString("yyyy-MM-dd"),
            ["reconciled"] = summary.Checked,
            ["sets"] = summary.Sets.Select(s => new
            {
                set = s.Set,
                newestComplete = s.NewestComplete?.ToString("yyyy-MM-dd"),
                announcementsBehind = s.Behind,
                shortDays = s.ShortDays,
                failedDays = s.FailedDays,
                lastChecked = s.LastChecked,
                lastHarvestSuccess = harvested.GetValueOrDefault(s.Set),
            }).ToList(),
        };
        if (!summary.Checked) return HealthCheckResult.Healthy("not reconciled with arXiv yet", data);
        return summary.IsBehind
            ? HealthCheckResult.Degraded($"ingestion is {(summary.Behind is { } b ? $"{b} announcements" : "more than the window")} behind arXiv", data: data)
            : HealthCheckResult.Healthy(summary.Behind == 0 ? "current with arXiv" : "one announcement behind arXiv (on its way)", data);
    }
}

internal sealed class SearchIndexHealthCheck(SearchEngine engine, DatabaseSettings db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var applied = engine.Keyword.AppliedSequence;
        await using var ctx = db.CreateContext();
        var behind = await ctx.Papers.LongCountAsync(p => p.Sequence > applied, ct);
        var data = new Dictionary<string, object>
        {
            ["indexedPapers"] = engine.Keyword.DocumentCount,
            ["appliedSequence"] = applied,
            ["papersBehind"] = behind,
            ["embeddedPapers"] = engine.Vectors.Count,
            ["semanticReady"] = engine.SemanticReady,
        };
        return behind == 0
            ? HealthCheckResult.Healthy("search index caught up", data)
            : HealthCheckResult.Degraded($"search index {behind} papers behind the database (catching up)", data: data);
    }
}

/// <summary>/healthz/ready as JSON: the overall status and each check's status, description and figures.</summary>
internal static class ReadinessJson
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, Options));
    }

    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
