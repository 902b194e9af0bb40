using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Mail;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DailyPapers.Pages.Digest;

/// <summary>Each subscription sends a mail: the same per-address budget as sign-up, plus one link per recipient per 15 minutes (Subscriptions).</summary>
[EnableRateLimiting(CommunitySetup.MailPerIp)]
public sealed class SubscribeModel(AppDbContext db, MailSender sender, DigestMail compose, IOptions<DigestSettings> settings, ILogger<SubscribeModel> log) : PageModel
{
    [BindProperty] public string? Email { get; set; }
    public PreferenceForm Form { get; private set; } = new();
    public bool Done { get; private set; }
    public string? Problem { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync([FromForm] PreferenceForm form, CancellationToken ct)
    {
        Form = form;
        form.Errors = Subscriptions.Validate(new(Email, form.Frequency, form.Categories, form.Keywords, form.Authors), needEmail: true,
            out var email, out var frequency, out var categories, out var keywords, out var authors);
        if (form.Errors.Count > 0) return WithStatus(400);
        try
        {
            await Subscriptions.SubscribeAsync(db, sender, compose, settings.Value, email, frequency, categories, keywords, authors, ct);
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or IOException or System.Net.Sockets.SocketException or ServiceNotConnectedException)
        {
            log.LogWarning(ex, "Could not send a confirmation mail");
            Problem = "The confirmation email could not be sent just now. Nothing was lost: please try again in a few minutes.";
            return WithStatus(503);
        }
        Email = email;
        Done = true;
        return Page();
    }

    private IActionResult WithStatus(int status)
    {
        Response.StatusCode = status;
        HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        return Page();
    }
}
