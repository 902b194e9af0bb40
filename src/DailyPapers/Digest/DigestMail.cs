using System.Globalization;
using System.Net;
using System.Text;
using DailyPapers.Mail;
using DailyPapers.Papers;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;

namespace DailyPapers.Digest;

/// <summary>The recipient fields a digest needs; read in batches from the ledger.</summary>
public sealed record DigestRecipient(long Id, string Email);

/// <summary>Composes digest and confirmation mail: HTML and plain-text parts, absolute links, unsubscribe headers, optional DKIM.</summary>
public sealed class DigestMail
{
    private readonly DigestLinks _links;
    private readonly MailSettings _mail;
    private readonly DigestSettings _settings;
    private readonly DkimSigner? _dkim;

    // Headers the DKIM signature covers: what a forger would want to change, and the unsubscribe headers (RFC 8058 §4).
    private static readonly HeaderId[] SignedHeaders =
    [
        HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId,
        HeaderId.ListUnsubscribe, HeaderId.ListUnsubscribePost, HeaderId.ListId, HeaderId.MimeVersion, HeaderId.ContentType,
    ];

    public DigestMail(DigestLinks links, IOptions<MailSettings> mail, IOptions<DigestSettings> settings)
    {
        _links = links;
        _mail = mail.Value;
        _settings = settings.Value;
        if (_settings.DkimPrivateKeyPath is { Length: > 0 } key)
        {
            if (string.IsNullOrWhiteSpace(_settings.DkimDomain) || string.IsNullOrWhiteSpace(_settings.DkimSelector))
                throw new InvalidOperationException("Digest:DkimDomain and Digest:DkimSelector are required with Digest:DkimPrivateKeyPath.");
            _dkim = new DkimSigner(key, _settings.DkimDomain, _settings.DkimSelector)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            };
        }
    }

    private MailboxAddress From => new(_mail.FromName, _mail.FromAddress);

    /// <summary>Stable per (edition, subscriber): a resent message after a crash carries the same id, so clients can drop the copy.</summary>
    public string MessageId(DigestEdition edition, long subscriptionId) =>
        $"digest.{edition.Key.Replace(':', '.')}.{subscriptionId.ToString(CultureInfo.InvariantCulture)}@{_links.Host}";

    /// <summary>"3 upvotes", or "3 upvotes · 250 on Hugging Face" when imported votes exist (kept apart, as on the site).</summary>
    public static string Votes(PaperCard p) =>
        p.Upvotes.ToString(CultureInfo.InvariantCulture) + (p.Upvotes == 1 ? " upvote" : " upvotes")
        + (p.HfUpvotes > 0 ? " · " + p.HfUpvotes.ToString(CultureInfo.InvariantCulture) + " on Hugging Face" : "");

    public static string Subject(DigestEdition e)
    {
        var when = e.Frequency == DigestFrequency.Weekly ? e.Period.Title : e.Period.Start.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture);
        var lead = e.Top.Count > 0 ? TexText.ToPlain(e.Top[0].Title) : "No new papers";
        if (lead.Length > 90) lead = lead[..89].TrimEnd() + "…";
        var more = e.Top.Count > 1 ? $" and {e.Top.Count - 1} more" : "";
        return $"{lead}{more} · DailyPapers {e.Frequency.ToString().ToLowerInvariant()} digest, {when}";
    }

    public MimeMessage Digest(DigestEdition edition, DigestRecipient to, IReadOnlyList<DigestPaper> matches)
    {
        var unsubscribe = _links.UnsubscribeUrl(to.Id);
        var preferences = _links.PreferencesUrl(to.Id);
        var mailbox = _settings.UnsubscribeMailbox is { Length: > 0 } m ? m : _mail.FromAddress;
        var mailto = $"mailto:{mailbox}?subject=unsubscribe%20{to.Id}%20{_links.Sign("unsub", to.Id)}";

        var msg = new MimeMessage();
        msg.From.Add(From);
        msg.To.Add(MailboxAddress.Parse(to.Email));
        msg.Subject = Subject(edition);
        msg.Date = DateTimeOffset.UtcNow;
        msg.MessageId = MessageId(edition, to.Id);
        msg.Headers.Add(HeaderId.ListId, $"DailyPapers {edition.Frequency.ToString().ToLowerInvariant()} digest <{edition.Frequency.ToString().ToLowerInvariant()}.digest.{_links.Host}>");
        msg.Headers.Add(HeaderId.ListUnsubscribe, $"<{unsubscribe}>, <{mailto}>");
        msg.Headers.Add(HeaderId.ListUnsubscribePost, "List-Unsubscribe=One-Click");
        msg.Headers.Add("Auto-Submitted", "auto-generated");
        msg.Headers.Add(HeaderId.Precedence, "bulk");

        var body = new BodyBuilder
        {
            TextBody = Text(edition, matches, unsubscribe, preferences),
            HtmlBody = Html(edition, matches, unsubscribe, preferences),
        };
        msg.Body = body.ToMessageBody();
        Sign(msg);
        return msg;
    }

    public MimeMessage Confirmation(string email, string token)
    {
        var url = _links.ConfirmUrl(token);
        var msg = new MimeMessage();
        msg.From.Add(From);
        msg.To.Add(MailboxAddress.Parse(email));
        msg.Subject = "Confirm your DailyPapers digest subscription";
        msg.Date = DateTimeOffset.UtcNow;
        msg.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(_links.Host);
        msg.Headers.Add("Auto-Submitted", "auto-generated");
        var hours = _settings.ConfirmTokenHours;
        var body = new BodyBuilder
        {
            TextBody = $"Someone, hopefully you, asked to receive the DailyPapers digest at {email}.\n\n" +
                       $"To confirm, open this link within {hours} hours:\n{url}\n\n" +
                       "If it wasn't you, ignore this message: nothing will be sent unless the address is confirmed.\n",
            HtmlBody = $"<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>Someone, hopefully you, asked to receive the DailyPapers digest at {Enc(email)}.</p>" +
                       $"<p><a href=\"{Enc(url)}\">Confirm your subscription</a> (the link works for {hours} hours).</p>" +
                       "<p>If it wasn't you, ignore this message: nothing will be sent unless the address is confirmed.</p></body></html>",
        };
        msg.Body = body.ToMessageBody();
        Sign(msg);
        return msg;
    }

    private void Sign(MimeMessage msg)
    {
        if (_dkim is null) return;
        msg.Prepare(EncodingConstraint.SevenBit);
        _dkim.Sign(msg, SignedHeaders.Where(h => msg.Headers.Contains(h)).ToArray());
    }

    private string Text(DigestEdition e, IReadOnlyList<DigestPaper> matches, string unsubscribe, string preferences)
    {
        var sb = new StringBuilder();
        int n = 1;
        var (trending, newest) = (e.Trending, e.Newest);
        if (trending.Count > 0)
        {
            sb.Append("Trending papers · ").Append(e.Period.Title).Append("\n\n");
            foreach (var p in trending) AppendText(sb, p, n++, null);
        }
        if (newest.Count > 0)
        {
            sb.Append(trending.Count > 0 ? "Also new" : "Newest papers · " + e.Period.Title).Append("\n\n");
            foreach (var p in newest) AppendText(sb, p, n++, null);
        }
        if (e.Top.Count == 0) sb.Append("No papers were listed in this period.\n\n");
        if (matches.Count > 0)
        {
            sb.Append("Matching your interests\n\n");
            n = 1;
            foreach (var m in matches) AppendText(sb, m.Card, n++, m.Reason);
        }
        sb.Append("All papers of the period: ").Append(_links.Absolute(e.Period.Path.TrimStart('/'))).Append('\n');
        sb.Append("Change what you receive: ").Append(preferences).Append('\n');
        sb.Append("Unsubscribe: ").Append(unsubscribe).Append('\n');
        return sb.ToString();
    }

    private void AppendText(StringBuilder sb, PaperCard p, int n, string? reason)
    {
        sb.Append(n).Append(". ").Append(Rendered(p, reason).Text);
    }

    private void AppendHtml(StringBuilder sb, PaperCard p, string? reason) => sb.Append(Rendered(p, reason).Html);

    // Every subscriber gets the same top papers: render each paper once per edition, not once per message.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(PaperCard, string?), (string Text, string Html)> _rendered = new();

    private (string Text, string Html) Rendered(PaperCard p, string? reason)
    {
        if (_rendered.TryGetValue((p, reason), out var hit)) return hit;
        if (_rendered.Count > 20_000) _rendered.Clear(); // old editions' papers; keeps the cache bounded in a long-running server
        var t = new StringBuilder(600);
        RenderText(t, p, reason);
        var h = new StringBuilder(900);
        RenderHtml(h, p, reason);
        return _rendered[(p, reason)] = (t.ToString(), h.ToString());
    }

    private void RenderText(StringBuilder sb, PaperCard p, string? reason)
    {
        sb.Append(TexText.ToPlain(p.Title)).Append('\n');
        sb.Append("   ").Append(Authors(p.Authors)).Append('\n');
        sb.Append("   ").Append(Votes(p));
        if (reason is not null) sb.Append(" · ").Append(reason);
        sb.Append('\n');
        sb.Append("   ").Append(PaperCard.Snip(TexText.ToPlain(p.Abstract), 280)).Append('\n');
        sb.Append("   ").Append(_links.PaperUrl(p.ArxivId)).Append("\n\n");
    }

    private string Html(DigestEdition e, IReadOnlyList<DigestPaper> matches, string unsubscribe, string preferences)
    {
        // Inline styles only: mail clients drop <style> blocks and remote stylesheets; no images, no scripts.
        var sb = new StringBuilder(8192);
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>")
          .Append(Enc(Subject(e))).Append("</title></head><body style=\"margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;max-width:680px\">");
        var (trending, newest) = (e.Trending, e.Newest);
        sb.Append("<h1 style=\"font-size:20px\">").Append(trending.Count > 0 || newest.Count == 0 ? "Trending papers · " : "Newest papers · ").Append(Enc(e.Period.Title)).Append("</h1>");
        if (e.Top.Count == 0) sb.Append("<p>No papers were listed in this period.</p>");
        if (trending.Count > 0)
        {
            sb.Append("<ol style=\"padding-left:20px\">");
            foreach (var p in trending) AppendHtml(sb, p, null);
            sb.Append("</ol>");
        }
        if (newest.Count > 0)
        {
            if (trending.Count > 0) sb.Append("<h2 style=\"font-size:17px\">Also new</h2>");
            sb.Append("<ol style=\"padding-left:20px\"").Append(trending.Count > 0 ? $" start=\"{trending.Count + 1}\"" : "").Append('>');
            foreach (var p in newest) AppendHtml(sb, p, null);
            sb.Append("</ol>");
        }
        if (matches.Count > 0)
        {
            sb.Append("<h2 style=\"font-size:17px\">Matching your interests</h2><ol style=\"padding-left:20px\">");
            foreach (var m in matches) AppendHtml(sb, m.Card, m.Reason);
            sb.Append("</ol>");
        }
        sb.Append("<p><a href=\"").Append(Enc(_links.Absolute(e.Period.Path.TrimStart('/')))).Append("\">All papers of the period</a></p>");
        sb.Append("<hr><p style=\"font-size:12px;color:#59636e\">You receive this because you subscribed to the DailyPapers ")
          .Append(e.Frequency.ToString().ToLowerInvariant()).Append(" digest. <a href=\"").Append(Enc(preferences))
          .Append("\">Change what you receive</a> · <a href=\"").Append(Enc(unsubscribe)).Append("\">Unsubscribe</a></p>");
        sb.Append("</body></html>");
        return sb.ToString();
    }

    private void RenderHtml(StringBuilder sb, PaperCard p, string? reason)
    {
        sb.Append("<li style=\"margin-bottom:14px\"><a style=\"font-weight:600;font-size:15px\" href=\"").Append(Enc(_links.PaperUrl(p.ArxivId))).Append("\">")
          .Append(Enc(TexText.ToPlain(p.Title))).Append("</a><br><span style=\"color:#59636e;font-size:13px\">")
          .Append(Enc(Authors(p.Authors))).Append(" · ").Append(Enc(Votes(p)));
        if (reason is not null) sb.Append(" · ").Append(Enc(reason));
        sb.Append("</span><br><span style=\"font-size:14px\">").Append(Enc(PaperCard.Snip(TexText.ToPlain(p.Abstract), 280))).Append("</span></li>");
    }

    private static string Authors(string authors)
    {
        var plain = TexText.ToPlain(authors);
        if (plain.Length <= 160) return plain;
        var cut = plain.LastIndexOf(',', 159);
        return plain[..(cut > 0 ? cut : 159)] + ", et al.";
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
