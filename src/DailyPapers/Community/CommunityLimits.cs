using Microsoft.Extensions.Options;

namespace DailyPapers.Community;

/// <summary>
/// Every in-memory community limit, each a <see cref="RateBudget"/> that knows the exact wait it imposes (see
/// docs/community.md, "Request safety"). The per-address ones back the rate-limiter policies in
/// <see cref="CommunitySetup"/>; the others are checked where the action happens.
/// </summary>
public sealed class CommunityLimits(IOptions<CommunitySettings> options, TimeProvider clock)
{
    /// <summary>Login, reset and password posts per client address, all accounts together.</summary>
    public RateBudget AuthPerIp { get; } = new(options.Value.AuthAttemptsPerIpPerMinute, TimeSpan.FromMinutes(1), clock);

    /// <summary>Sign-ups, reset requests and digest subscriptions per client address: each sends a mail.</summary>
    public RateBudget MailPerIp { get; } = new(options.Value.MailsPerIpPerHour, TimeSpan.FromHours(1), clock);

    /// <summary>New and edited comments per member, from the pages and the API together.</summary>
    public RateBudget Comments { get; } = new(options.Value.CommentsPerUserPer10Minutes, TimeSpan.FromMinutes(10), clock);

    /// <summary>
    /// Password guesses per (account, client address). Keyed by the pair, not the account alone, so an attacker
    /// hammering an account from one address is stopped while its owner, from another address, still gets in;
    /// <see cref="AuthPerIp"/> caps guesses across accounts.
    /// </summary>
    public RateBudget LoginPerAccountAndAddress { get; } = new(options.Value.LoginAttemptsPerAccountPerAddress, TimeSpan.FromMinutes(15), clock);

    /// <summary>Account mails to one address, whoever asks: sign-up and reset requests from many addresses can't flood one inbox.</summary>
    public RateBudget AccountMailsPerRecipient { get; } = new(options.Value.MailsPerAccountPerHour, TimeSpan.FromHours(1), clock);

    public static string LoginKey(string email, string clientAddress) => email.Trim().ToUpperInvariant() + "|" + clientAddress;

    /// <summary>True when this login attempt may go ahead; every attempt counts, right or wrong.</summary>
    public bool TryLogin(string email, string clientAddress, out TimeSpan retryAfter) =>
        LoginPerAccountAndAddress.TryTake(LoginKey(email, clientAddress), out retryAfter);

    /// <summary>True when another account mail may go to <paramref name="email"/> now.</summary>
    public bool TryAccountMail(string email) => AccountMailsPerRecipient.TryTake(email.Trim().ToUpperInvariant(), out _);
}
