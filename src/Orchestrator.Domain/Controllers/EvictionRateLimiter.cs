namespace Orchestrator.Domain.Controllers;

/// <summary>
/// A token bucket over explicit times (Kubernetes' <c>--node-eviction-rate</c>, 0.1 nodes a second,
/// burst 1): each node whose pods are to be evicted takes one token; tokens come back at
/// <see cref="RatePerSecond"/> up to <see cref="Burst"/>. A rate of 0 admits nothing.
/// </summary>
public sealed record EvictionRateLimiter(double RatePerSecond, int Burst, double Tokens, DateTimeOffset At)
{
    /// <summary>A full bucket at <paramref name="now"/> (an empty one at rate 0).</summary>
    public static EvictionRateLimiter Start(double ratePerSecond, int burst, DateTimeOffset now) =>
        new(Math.Max(0, ratePerSecond), Math.Max(1, burst), ratePerSecond <= 0 ? 0 : Math.Max(1, burst), now);

    /// <summary>The bucket as it is at <paramref name="now"/> (refilled for the time since <see cref="At"/>).</summary>
    public EvictionRateLimiter Refilled(DateTimeOffset now) => now <= At ? this : this with
    {
        Tokens = Math.Min(Burst, Tokens + (now - At).TotalSeconds * RatePerSecond),
        At = now,
    };

    /// <summary>Takes a token at <paramref name="now"/> when there is one.</summary>
    public (bool Taken, EvictionRateLimiter Next) TryTake(DateTimeOffset now)
    {
        var current = Refilled(now);
        return current.Tokens >= 1 ? (true, current with { Tokens = current.Tokens - 1 }) : (false, current);
    }

    /// <summary>When the next token will be there (null: never, at rate 0).</summary>
    public DateTimeOffset? NextTokenAt(DateTimeOffset now)
    {
        var current = Refilled(now);
        if (current.Tokens >= 1) return now;
        if (RatePerSecond <= 0) return null;
        return now + TimeSpan.FromSeconds((1 - current.Tokens) / RatePerSecond);
    }
}
