using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace DailyPapers.Community;

/// <summary>
/// Limits password guesses per (account, client address). Keyed by the pair, not the account alone, so an
/// attacker hammering an account from one address is stopped while its owner, from another address, still
/// gets in; the per-address policy (<see cref="CommunitySetup.AuthPerIp"/>) caps guesses across accounts.
/// </summary>
public sealed class LoginThrottle(IOptions<CommunitySettings> settings) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = settings.Value.LoginAttemptsPerAccountPerAddress,
            Window = TimeSpan.FromMinutes(15),
            SegmentsPerWindow = 3,
            QueueLimit = 0,
        }));

    // Mails to one address, whoever asks: sign-up and reset requests from many addresses can't flood one inbox.
    private readonly PartitionedRateLimiter<string> _mails = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = settings.Value.MailsPerAccountPerHour,
            Window = TimeSpan.FromHours(1),
            QueueLimit = 0,
        }));

    /// <summary>True when another account mail may go to <paramref name="email"/> this hour.</summary>
    public bool TryMail(string email)
    {
        using var lease = _mails.AttemptAcquire(email.Trim().ToUpperInvariant());
        return lease.IsAcquired;
    }

    public static string KeyFor(string email, string clientAddress) => email.Trim().ToUpperInvariant() + "|" + clientAddress;

    /// <summary>True when this attempt may go ahead; every attempt counts, right or wrong.</summary>
    public bool TryAttempt(string email, string clientAddress)
    {
        using var lease = _limiter.AttemptAcquire(KeyFor(email, clientAddress));
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _limiter.Dispose();
        _mails.Dispose();
    }
}
