using DailyPapers.Community;
using DailyPapers.Digest;
using DailyPapers.Papers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace DailyPapers.Api;

/// <summary>
/// The APIs: Hugging Face-compatible routes under /api, ours under /api/v1 (problem details, CORS for reads,
/// personal API tokens, rate limits), the OpenAPI document at /openapi/v1.json and its reference page at /api/docs.
/// </summary>
public static class ApiSetup
{
    public const string V1Prefix = "/api/v1";
    public const string ReadCors = "api-read";
    public const string DocsPath = "/api/docs";

    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddProblemDetails();
        s.AddCors(o => o.AddPolicy(ReadCors, p => p
            .AllowAnyOrigin().WithMethods("GET", "HEAD").WithHeaders("Authorization")
            .WithExposedHeaders("Link", "ETag", "RateLimit", "RateLimit-Policy", "Retry-After")));
        s.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        s.AddAuthorization(ApiTokenAuthenticationHandler.AddPolicies);
        s.AddOptions<ApiSettings>().BindConfiguration(ApiSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton(TimeProvider.System);
        s.AddSingleton<ApiRateLimit>();
        s.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info = new OpenApiInfo
            {
                Title = "DailyPapers API",
                Version = "v1",
                Description = "Papers, feeds and exports of this DailyPapers instance. /api/daily_papers and /api/papers/* follow Hugging Face's papers API; "
                    + "/api/v1 is DailyPapers' own API (problem-details errors, per-client rate limits announced in RateLimit headers). "
                    + "Authenticated calls send a personal API token as 'Authorization: Bearer dp_…'.",
            };
            doc.Components ??= new OpenApiComponents();
            doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            doc.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A personal API token (read or write scope).",
            };
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>
    /// Middleware of the APIs, placed by ServerApp between authentication and authorization: API errors get JSON bodies
    /// instead of the HTML status pages, and /api/v1 is rate limited.
    /// </summary>
    public static IApplicationBuilder UseApi(this IApplicationBuilder app)
    {
        app.Use(DocsContentSecurityPolicy);
        app.Use(ApiErrorBodies);
        app.Use(ApiRateLimit.Middleware);
        return app;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.MapHuggingFaceApi();
        var v1 = app.MapGroup(V1Prefix).WithGroupName("v1");
        v1.AddEndpointFilterFactory(Web.NulInput.BodyFilter);
        v1.MapPapersV1();
        v1.MapTokensV1();
        v1.MapCommunityV1();
        v1.MapDigestV1();
        Library.V1MeEndpoints.MapMeV1(v1);

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference(DocsPath, o => o
            .WithTitle("DailyPapers API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddDocument("v1")
            .DisableDefaultFonts());
        return app;
    }

    /// <summary>
    /// Scalar's page starts itself with an inline module script and its components inject inline styles, so /api/docs
    /// (and only it: a page with no user content) allows inline script and style. Everything else stays 'self':
    /// its JavaScript is served from the Scalar.AspNetCore package, its web fonts are switched off, and connect-src
    /// 'self' keeps its optional scalar.com services (request proxy, sharing) unreachable.
    /// </summary>
    private static Task DocsContentSecurityPolicy(HttpContext ctx, RequestDelegate next)
    {
        if (ctx.Request.Path.StartsWithSegments(DocsPath))
            ctx.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
        return next(ctx);
    }

    private static async Task ApiErrorBodies(HttpContext ctx, RequestDelegate next)
    {
        var path = ctx.Request.Path;
        if (!path.StartsWithSegments("/api") || path.StartsWithSegments(DocsPath))
        {
            await next(ctx);
            return;
        }
        // Programs read these responses: an HTML status page would be noise to them.
        if (ctx.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        var r = ctx.Response;
        try
        {
            await next(ctx);
        }
        catch (Exception ex) when (!r.HasStarted && !ctx.RequestAborted.IsCancellationRequested)
        {
            // The HTML error page is for people; a program gets a 500 it can parse. Nothing was changed by a failed read.
            ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DailyPapers.Api").LogError(ex, "API request {Path} failed", path);
            r.Clear();
            r.StatusCode = StatusCodes.Status500InternalServerError;
        }
        if (r.StatusCode < 400 || r.HasStarted || r.ContentLength is not null || !string.IsNullOrEmpty(r.ContentType)) return;
        if (path.StartsWithSegments(V1Prefix))
            await ctx.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = ctx,
                ProblemDetails = { Status = r.StatusCode, Detail = r.StatusCode == 404 ? "There is no such API endpoint; see /api/docs." : null },
            });
        else
            await r.WriteAsJsonAsync(new HfError(r.StatusCode == 404 ? "Not Found" : $"Request failed with status {r.StatusCode}"));
    }
}
