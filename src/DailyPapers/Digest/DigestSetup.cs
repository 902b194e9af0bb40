using DailyPapers.Data;
using DailyPapers.Mail;
using DailyPapers.Settings;
using Microsoft.Extensions.Options;

namespace DailyPapers.Digest;

/// <summary>Registers the digest services and endpoints on the web app; the CLI builds the same services with <see cref="ForCli"/>.</summary>
public static class DigestSetup
{
    public static WebApplicationBuilder AddDigest(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<DigestSettings>();
        builder.Services.AddSingleton<DigestLinks>();
        builder.Services.AddSingleton<DigestMail>();
        builder.Services.AddSingleton<DigestRunner>();
        builder.Services.AddSingleton<DigestScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DigestScheduler>());
        return builder;
    }

    public static WebApplication MapDigest(this WebApplication app)
    {
        // The preview is the mail's own HTML, so it gets its own endpoint rather than a page inside the layout.
        app.MapGet("/admin/digest/preview", async (HttpContext http, string? email, string? frequency, AppDbContext db, DigestMail compose,
            IOptions<DigestSettings> settings, Admin.AdminAccess access, IServiceProvider services, CancellationToken ct) =>
        {
            if (!access.IsAdmin(http)) return Results.Problem(statusCode: 403, title: "Admins only", detail: "Sign in with an admin account, or enter the admin token on /admin/digest first.");
            var f = Enum.TryParse<DigestFrequency>(frequency, true, out var ff) ? ff : DigestFrequency.Daily;
            var preview = await DigestAdmin.PreviewAsync(db, compose, settings.Value, services.GetService<Search.SearchEngine>(), email, f, ct);
            if (preview is null) return Results.Problem(statusCode: 404, title: "Nothing to preview", detail: "No papers, or no subscription with that address.");
            // Mail HTML uses inline styles; allow them here and nothing else (no scripts, no remote anything), as in a mail client.
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
            return Results.Content(preview.HtmlBody ?? "", "text/html; charset=utf-8");
        });
        return app;
    }

    /// <summary>The digest runner outside the web host (the CLI), from the same configuration as the server's.</summary>
    public static DigestRunner ForCli(DatabaseSettings db, IConfiguration config, ILoggerFactory logs)
    {
        var mail = Options.Create(AppConfiguration.Get<MailSettings>(config));
        var digest = Options.Create(AppConfiguration.Get<DigestSettings>(config));
        var links = new DigestLinks(digest, db);
        return new DigestRunner(db, digest, mail, new DigestMail(links, mail, digest), logs.CreateLogger<DigestRunner>());
    }
}
