using DailyPapers.Admin;
using DailyPapers.Api;
using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Feeds;
using DailyPapers.Digest;
using DailyPapers.Ingest;
using DailyPapers.Library;
using DailyPapers.Mail;
using DailyPapers.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;

namespace DailyPapers.Web;

/// <summary>Builds the web server; the CLI's <c>serve</c> verb and the tests both start it from here.</summary>
public static class ServerApp
{
    public static WebApplication Create(DatabaseSettings db, string[]? args = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            ApplicationName = typeof(ServerApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.Configuration.AddEnvironmentVariables("DAILYPAPERS_");
        if (builder.Configuration["LogFormat"] == "json") { builder.Logging.ClearProviders(); builder.Logging.AddJsonConsole(); }
        else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

        builder.Services.AddSingleton(db);
        db.AddTo(builder.Services);
        builder.Services.AddSingleton<PaperUpsert>();
        builder.Services.AddSingleton<HfDailyImport>();
        // Pages carry names and titles in every script: encode only what HTML needs (< > & " '), not every non-ASCII letter.
        builder.Services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddRazorPages();
        builder.Services.AddOutputCache(o =>
        {
            // Lists are read far more than written; a short expiry bounds staleness after imports by another process.
            o.AddPolicy(CachePolicies.Lists, p => p.Expire(TimeSpan.FromSeconds(10)).SetVaryByQuery("*").Tag(CachePolicies.PapersTag));
        });
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        builder.Services.AddOptions<MailSettings>().BindConfiguration(MailSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTransient<MailSender>();
        // Capabilities register their services here, one line each.
        builder.AddAdmin();
        builder.AddApi();
        builder.AddCommunity();
        builder.AddIngest();
        builder.AddDigest();
        builder.AddSearch();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseRequestMetrics();
        app.UseRequestActivity();
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/status/500");
        app.UseStatusCodePagesWithReExecute("/status/{0}");
        app.Use(async (ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h["Referrer-Policy"] = "strict-origin-when-cross-origin";
            h.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
            await next();
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=86400",
        });
        app.UseRouting();
        app.UseNulInputCheck();
        app.UseCors();
        app.UseCommunity();
        // Authentication runs before the output cache: the cache serves anonymous visitors only, so members see their own votes.
        app.UseAuthentication();
        app.UseApi();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseOutputCache();
        app.MapHealth();
        app.MapRazorPages();
        // Capabilities map their endpoints here, one line each.
        app.MapFeeds();
        app.MapExports();
        app.MapApi();
        app.MapDigest();
        app.MapSearch();
        app.MapAdmin();
        app.MapLibrary();
        return app;
    }

    /// <summary>Applies pending migrations for whichever provider is configured.</summary>
    public static async Task MigrateAsync(DatabaseSettings db, CancellationToken ct = default)
    {
        db.EnsureDataDir();
        await using var ctx = db.CreateContext();
        await ctx.Database.MigrateAsync(ct);
        // A bulk import that was killed may have left its indexes to be built.
        await Ingest.DeferredIndexes.RestoreAsync(db);
    }
}

public static class CachePolicies
{
    public const string Lists = "lists";
    public const string PapersTag = "papers";
}

internal sealed class DatabaseHealthCheck(AppDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(ct)
                ? HealthCheckResult.Healthy("database reachable")
                : HealthCheckResult.Unhealthy("database unreachable");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("database unreachable", ex);
        }
    }
}
