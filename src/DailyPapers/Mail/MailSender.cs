using System.Net.Sockets;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DailyPapers.Mail;

/// <summary>
/// Sends mail over SMTP with MailKit: the one sender for account mail and digests. Keeps one connection
/// open across messages and reconnects when the server drops it. Not thread-safe: one sender per loop.
/// </summary>
public sealed class MailSender(IOptions<MailSettings> options) : IAsyncDisposable
{
    private readonly MailSettings _settings = options.Value;
    private readonly SmtpClient _client = new();
    private DateTime _lastSent = DateTime.MinValue;

    public MailboxAddress From => new(_settings.FromName, _settings.FromAddress);

    /// <summary>Hands one message to the server; returns when the server has accepted it (throws otherwise).</summary>
    public async Task SendAsync(MimeMessage message, CancellationToken ct = default)
    {
        if (message.From.Count == 0) message.From.Add(From);
        if (_settings.RatePerSecond > 0)
        {
            var gap = TimeSpan.FromSeconds(1 / _settings.RatePerSecond) - (DateTime.UtcNow - _lastSent);
            if (gap > TimeSpan.Zero) await Task.Delay(gap, ct);
        }
        await EnsureConnectedAsync(ct);
        await _client.SendAsync(message, ct);
        _lastSent = DateTime.UtcNow;
    }

    /// <summary>Drops the connection after a failure, so the next send starts a fresh SMTP session.</summary>
    public async Task ResetAsync()
    {
        if (!_client.IsConnected) return;
        // No QUIT: after a failure the session state is unknown, so just close the socket.
        try { await _client.DisconnectAsync(false); }
        catch (Exception) { /* already closed by the server */ }
    }

    private async Task EnsureConnectedAsync(CancellationToken ct)
    {
        if (_client.IsConnected) return;
        _client.Timeout = _settings.TimeoutSeconds * 1000;
        // Our own socket so Nagle can be switched off: MailKit writes a message in several small segments, and
        // Nagle holding the last one until the server's delayed ACK would cap a digest run at a few dozen messages a second (docs/benchmarks.md, digests).
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                connectTimeout.CancelAfter(TimeSpan.FromSeconds(_settings.TimeoutSeconds));
                await socket.ConnectAsync(_settings.Host, _settings.Port, connectTimeout.Token);
            }
            await _client.ConnectAsync(socket, _settings.Host, _settings.Port, _settings.Tls, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        if (!string.IsNullOrEmpty(_settings.Username))
            await _client.AuthenticateAsync(_settings.Username, _settings.Password ?? "", ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try { await _client.DisconnectAsync(true); } catch (Exception) { /* the server may already be gone */ }
        }
        _client.Dispose();
    }
}
