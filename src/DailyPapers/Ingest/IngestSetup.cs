using DailyPapers.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DailyPapers.Ingest;

/// <summary>Registers ingestion: the arXiv sources, the harvester and its schedulers.</summary>
public static class IngestSetup
{
    /// <summary>Registers the arXiv sources, the harvester and (unless switched off) its scheduler.</summary>
    public static WebApplicationBuilder AddIngest(this WebApplicationBuilder builder)
    {
        builder.Services.AddIngestCore();
        builder.Services.AddOptions<HarvestSettings>().BindConfiguration(HarvestSettings.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Harvest:TimeZone is not a known time zone")
            .Validate(o => o.CheckEvery >= TimeSpan.FromSeconds(10), "Harvest:CheckEvery must be at least 10 s")
            .Validate(o => o.RetryFirstDelay > TimeSpan.Zero && o.RetryMaxDelay >= o.RetryFirstDelay, "Harvest:RetryFirstDelay must be > 0 and RetryMaxDelay at least as long")
            .ValidateOnStart();
        builder.Services.AddSingleton<HarvestRunner>();
        builder.Services.AddSingleton<HarvestScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HarvestScheduler>());
        builder.Services.AddSingleton(sp => new IngestHealth(sp.GetRequiredService<DatabaseSettings>(), sp.GetRequiredService<ArxivHttp>(),
            sp.GetRequiredService<IOptions<HarvestSettings>>().Value, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new IngestHealthScheduler(sp.GetRequiredService<IngestHealth>(), sp.GetRequiredService<HarvestLock>(),
            sp.GetRequiredService<IOptions<HarvestSettings>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<IngestHealthScheduler>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestHealthScheduler>());
        return builder;
    }

    /// <summary>The services the CLI needs too (no hosted services).</summary>
    public static IServiceCollection AddIngestCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ArxivSettings>().BindConfiguration(ArxivSettings.Section).ValidateDataAnnotations()
            .Validate(o => o.MinSpacing >= TimeSpan.Zero && o.RequestTimeout > TimeSpan.Zero, "Arxiv: MinSpacing must be ≥ 0 and RequestTimeout > 0")
            .ValidateOnStart();
        // One instance per process, so every arXiv source shares the same request spacing.
        services.AddSingleton(sp => new ArxivHttp(sp.GetRequiredService<IOptions<ArxivSettings>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ArxivApiClient>();
        services.AddSingleton<Harvester>();
        services.AddSingleton<HarvestLock>();
        return services;
    }
}
