using System.Threading.RateLimiting;
using DailyPapers.Data;
using DailyPapers.Settings;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DailyPapers.Community;

/// <summary>Registers accounts, votes, comments, submissions and their request-safety settings.</summary>
public static class CommunitySetup
{
    public const string AuthCookie = "dp.auth";
    public const string AntiforgeryCookie = "dp.af";
    public const string AuthPerIp = "auth-ip";
    public const string MailPerIp = "mail-ip";

    public static WebApplicationBuilder AddCommunity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // ServerApp registers the DatabaseSettings instance first; the key folder lives in its data dir.
        var db = (DatabaseSettings)services.First(d => d.ServiceType == typeof(DatabaseSettings)).ImplementationInstance!;
        services.AddSettings<CommunitySettings>();
        AddAccountStores(services, db, identityCore: false);
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = AuthCookie; // becomes __Host-dp.auth over HTTPS (HostPrefixedCookies)
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromDays(30);
            o.SlidingExpiration = true;
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/denied";
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AntiforgeryCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.HeaderName = "X-CSRF-TOKEN";
        });
        // A forged or expired form: 403 and the status page's explanation (AntiforgeryFailurePage).
        services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(o => o.Filters.Add(new AntiforgeryFailurePage()));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                var wait = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
                var s = ctx.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<CommunitySettings>>().Value;
                var reason = ctx.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName switch
                {
                    AuthPerIp => $"There were too many sign-in attempts from your address ({s.AuthAttemptsPerIpPerMinute} a minute, for all accounts together).",
                    MailPerIp => $"Too many requests that send mail came from your address ({s.MailsPerIpPerHour} an hour: sign-ups, password resets and digest subscriptions together).",
                    _ => "Too many requests came from your address.",
                };
                await new TooManyRequests(reason, wait).WriteAsync(ctx.HttpContext, ct);
            };
            o.AddPolicy(AuthPerIp, ctx => WritesOnly(ctx, "ip:" + ClientAddress(ctx), l => l.AuthPerIp));
            o.AddPolicy(MailPerIp, ctx => WritesOnly(ctx, "mail:" + ClientAddress(ctx), l => l.MailPerIp));
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CommunityLimits>();
        services.AddHttpContextAccessor();
        services.AddTransient<AccountMail>();
        services.AddScoped<VoteToggle>();
        if (db.Provider == DatabaseProvider.Sqlite) services.AddSingleton<SqliteVoteWriter>();
        services.AddScoped<CardExtras>();
        services.AddScoped<Featuring>();
        services.AddScoped<CommentWriter>();
        services.AddScoped<Submissions>();
        return builder;
    }

    /// <summary>Identity on the app's database, shared by the server and the CLI (which has no cookies).</summary>
    public static void AddAccountStores(IServiceCollection services, DatabaseSettings db, bool identityCore)
    {
        services.AddDataProtection()
            .SetApplicationName("DailyPapers")
            // Tokens in mails and cookies must survive restarts and be readable by the CLI: keep the keys with the data.
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(db.DataDir, "keys")));
        services.Configure<PasswordHasherOptions>(o =>
            // PBKDF2-HMAC-SHA512 (Identity's v3 format); 210,000 iterations is OWASP's 2023 figure for SHA-512.
            o.IterationCount = 210_000);
        IdentityBuilder ib = identityCore
            ? services.AddIdentityCore<AppUser>(ConfigureIdentity).AddRoles<IdentityRole>()
            : services.AddIdentity<AppUser, IdentityRole>(ConfigureIdentity);
        ib.AddEntityFrameworkStores<AppDbContext>().AddDefaultTokenProviders().AddPasswordValidator<PasswordRules>();
    }

    private static void ConfigureIdentity(IdentityOptions o)
    {
        // Length and the common-password list (PasswordRules) instead of composition rules (NIST SP 800-63B).
        o.Password.RequiredLength = PasswordRules.MinLength;
        o.Password.RequireDigit = false;
        o.Password.RequireLowercase = false;
        o.Password.RequireUppercase = false;
        o.Password.RequireNonAlphanumeric = false;
        o.Password.RequiredUniqueChars = 1;
        o.User.RequireUniqueEmail = true;
        o.User.AllowedUserNameCharacters = ""; // user names are email addresses: any character
        o.SignIn.RequireConfirmedEmail = true;
        // No account lockout: it would let an attacker lock the owner out. CommunityLimits limits guesses per account and address instead.
        o.Lockout.AllowedForNewUsers = false;
    }

    public static WebApplication UseCommunity(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CommunitySettings>>().Value;
        if (settings.TrustForwardedHeaders)
        {
            // Only a known proxy's headers count, and only its own hop (ForwardLimit 1: the rightmost X-Forwarded-For
            // entry, the one it appended); anyone else's X-Forwarded-For is ignored, so it can't pose as many clients.
            var fh = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            if (settings.KnownProxies.Length + settings.KnownNetworks.Length > 0)
            {
                // Configured lists replace the framework's default, loopback (127.0.0.0/8 and ::1).
                fh.KnownIPNetworks.Clear();
                fh.KnownProxies.Clear();
                foreach (var p in settings.KnownProxies) fh.KnownProxies.Add(System.Net.IPAddress.Parse(p));
                foreach (var n in settings.KnownNetworks) fh.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n));
            }
            app.UseForwardedHeaders(fh);
        }
        app.UseMiddleware<HostPrefixedCookies>();
        // ServerApp.Create then runs authentication, the API middleware, authorization and the rate limiter.
        return app;
    }

    public static string ClientAddress(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public static string UserIdOf(HttpContext ctx) =>
        ctx.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value ?? "";

    private static RateLimitPartition<string> WritesOnly(HttpContext ctx, string key, Func<CommunityLimits, RateBudget> budget)
    {
        // Pages write with POST; the API also with PATCH and DELETE.
        var m = ctx.Request.Method;
        if (HttpMethods.IsGet(m) || HttpMethods.IsHead(m) || HttpMethods.IsOptions(m)) return RateLimitPartition.GetNoLimiter("read");
        var limits = ctx.RequestServices.GetRequiredService<CommunityLimits>();
        return RateLimitPartition.Get(key, k => budget(limits).For(k));
    }
}
