namespace Orchestrator.Domain.RateLimiting;

/// <summary>
/// A token bucket over explicit times: tokens come back at <see cref="RatePerSecond"/> up to
/// <see cref="Burst"/>; a rate of 0 admits nothing. The node lifecycle controller takes one per node
/// whose pods it evicts (Kubernetes' <c>--node-eviction-rate</c>, 0.1 a second, burst 1); the API's
/// client fairness one per refused request of a client (<see cref="ClientFairness{TWaiter}"/>).
/// </summary>
public sealed record TokenBucket(double RatePerSecond, int Burst, double Tokens, DateTimeOffset At)
{
    /// <summary>A full bucket at <paramref name="now"/> (an empty one at rate 0).</summary>
    public static TokenBucket Start(double ratePerSecond, int burst, DateTimeOffset now) =>
        new(Math.Max(0, ratePerSecond), Math.Max(1, burst), ratePerSecond <= 0 ? 0 : Math.Max(1, burst), now);

    /// <summary>The bucket as it is at <paramref name="now"/> (refilled for the time since <see cref="At"/>).</summary>
    public TokenBucket Refilled(DateTimeOffset now) => now <= At ? this : this with
    {
        Tokens = Math.Min(Burst, Tokens + (now - At).TotalSeconds * RatePerSecond),
        At = now,
    };

    /// <summary>Takes a token at <paramref name="now"/> when there is one.</summary>
    public (bool Taken, TokenBucket Next) TryTake(DateTimeOffset now)
    {
        var current = Refilled(now);
        return current.Tokens >= 1 ? (true, current with { Tokens = current.Tokens - 1 }) : (false, current);
    }

    /// <summary>When the next token will be there (null: never, at rate 0).</summary>
    public DateTimeOffset? NextTokenAt(DateTimeOffset now) => TokensAt(1, now);

    /// <summary>When the bucket will hold <paramref name="tokens"/> tokens (null: never, at rate 0 or beyond the burst).</summary>
    public DateTimeOffset? TokensAt(double tokens, DateTimeOffset now)
    {
        var current = Refilled(now);
        if (current.Tokens >= tokens) return now;
        if (RatePerSecond <= 0 || tokens > Burst) return null;
        return now + TimeSpan.FromSeconds((tokens - current.Tokens) / RatePerSecond);
    }
}
