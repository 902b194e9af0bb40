using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DailyPapers.Tests.Digest;

/// <summary>
/// A small real SMTP server on a loopback port for tests that need many messages or an outage: it records what it
/// accepted, can reject chosen recipients with 550, and can go down (answering 421 and refusing connections) and come back.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    public sealed record Received(string Recipient, string Data)
    {
        public string? MessageId => Header("Message-Id");

        public string? Header(string name)
        {
            foreach (var line in Data.Split("\r\n"))
            {
                if (line.Length == 0) break;
                if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)) return line[(name.Length + 1)..].Trim();
            }
            return null;
        }
    }

    private TcpListener? _listener;
    private readonly CancellationTokenSource _cts = new();
    private volatile bool _down;
    private readonly List<Task> _sessions = [];

    public int Port { get; private set; }
    public ConcurrentQueue<Received> Messages { get; } = new();
    /// <summary>Recipients for which this returns true get "550 5.1.1 no such user".</summary>
    public Func<string, bool> Reject { get; set; } = _ => false;
    /// <summary>Called after a message was accepted and the 250 reply sent.</summary>
    public Action<Received>? Accepted { get; set; }

    public static SmtpSink Start()
    {
        var sink = new SmtpSink();
        sink.Listen(0);
        return sink;
    }

    private void Listen(int port)
    {
        var l = new TcpListener(IPAddress.Loopback, port);
        l.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        l.Start();
        Port = ((IPEndPoint)l.LocalEndpoint).Port;
        _listener = l;
        _down = false;
        _ = AcceptLoopAsync(l);
    }

    /// <summary>Goes down: open sessions get 421 on their next command, new connections are refused.</summary>
    public void Stop()
    {
        _down = true;
        _listener?.Stop();
    }

    public void Restart() => Listen(Port);

    public int CountFor(string recipient) => Messages.Count(m => m.Recipient == recipient);

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(_cts.Token); }
            catch (Exception) { return; }
            lock (_sessions) _sessions.Add(SessionAsync(client));
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.UTF8);
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 sink ESMTP ready");
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_cts.Token) is { } line)
            {
                if (_down)
                {
                    await writer.WriteLineAsync("421 4.3.2 Service not available, closing channel");
                    return;
                }
                var cmd = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (cmd)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-sink");
                        await writer.WriteLineAsync("250-8BITMIME");
                        await writer.WriteLineAsync("250 SMTPUTF8");
                        break;
                    case "HELO": await writer.WriteLineAsync("250 sink"); break;
                    case "MAIL": recipients.Clear(); await writer.WriteLineAsync("250 2.1.0 OK"); break;
                    case "RCPT":
                        var addr = line[(line.IndexOf('<') + 1)..line.LastIndexOf('>')];
                        if (Reject(addr)) await writer.WriteLineAsync("550 5.1.1 No such user");
                        else { recipients.Add(addr); await writer.WriteLineAsync("250 2.1.5 OK"); }
                        break;
                    case "DATA":
                        if (recipients.Count == 0) { await writer.WriteLineAsync("554 5.5.1 No valid recipients"); break; }
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_cts.Token) is { } d && d != ".")
                            data.Append(d.StartsWith('.') ? d[1..] : d).Append("\r\n");
                        var got = recipients.Select(r => new Received(r, data.ToString())).ToList();
                        foreach (var r in got) Messages.Enqueue(r);
                        await writer.WriteLineAsync("250 2.0.0 Queued");
                        foreach (var r in got) Accepted?.Invoke(r);
                        recipients.Clear();
                        break;
                    case "RSET": recipients.Clear(); await writer.WriteLineAsync("250 2.0.0 OK"); break;
                    case "NOOP": await writer.WriteLineAsync("250 2.0.0 OK"); break;
                    case "QUIT": await writer.WriteLineAsync("221 2.0.0 Bye"); return;
                    default: await writer.WriteLineAsync("502 5.5.2 Command not recognized"); break;
                }
            }
        }
        catch (Exception) { /* the client went away or the sink is shutting down */ }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        _listener?.Stop();
        Task[] all;
        lock (_sessions) all = [.. _sessions];
        try { await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
    }
}
