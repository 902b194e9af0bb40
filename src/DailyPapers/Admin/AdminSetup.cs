using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace DailyPapers.Admin;

/// <summary>Registers the admin rule, the operations dashboard's services and the metrics endpoint.</summary>
public static class AdminSetup
{
    public static WebApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminSettings>().BindConfiguration(AdminSettings.Section);
        builder.Services.AddSingleton<AdminAccess>();
        builder.Services.AddHostedService<OpsSampler>();
        builder.Services.AddOptions<MetricsSettings>().BindConfiguration(MetricsSettings.Section)
            .Validate(o => o.Access != MetricsAccess.Token || !string.IsNullOrEmpty(o.Token), "Metrics:Access=Token needs Metrics:Token")
            .ValidateOnStart();
        builder.Services.AddSingleton<AppMetrics>();
        builder.Services.AddSingleton<SearchStats>();
        builder.Services.AddScoped<Dashboard>();
        builder.Services.AddHealthChecks()
            .AddCheck<IngestionHealthCheck>("ingestion", tags: ["ready"])
            .AddCheck<SearchIndexHealthCheck>("search", tags: ["ready"]);
        return builder;
    }

    /// <summary>First in the pipeline, so request timings include everything, error pages too.</summary>
    public static WebApplication UseRequestMetrics(this WebApplication app)
    {
        app.UseMiddleware<RequestMetricsMiddleware>();
        return app;
    }

    /// <summary>Liveness (no checks, plain "Healthy") and readiness (database, ingestion, search index) as JSON.</summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = ReadinessJson.WriteAsync });
        return app;
    }

    public static WebApplication MapAdmin(this WebApplication app)
    {
        AppMetrics.Map(app);
        return app;
    }
}
