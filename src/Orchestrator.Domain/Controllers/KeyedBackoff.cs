namespace Orchestrator.Domain.Controllers;

/// <summary>
/// Exponential backoff per key, for retrying a controller's failed syncs and the scheduler's
/// unschedulable pods (client-go's ItemExponentialFailureRateLimiter, with the expiry of its
/// flowcontrol.Backoff): the n-th consecutive failure waits <c>initial × 2^(n-1)</c>, at most
/// <c>max</c> (and at most <c>initial × 2^10</c>). A success <see cref="Reset"/>s the key; a key that has not failed for twice
/// <c>max</c> starts over, as Kubernetes' backoff does, so an old streak of failures does not make
/// a new one wait long.
/// </summary>
public sealed class KeyedBackoff
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly TimeProvider _time;

    public KeyedBackoff(TimeSpan initial, TimeSpan max, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        _initial = initial;
        _max = max;
        _time = time;
    }

    /// <summary>How many keys have failures on record.</summary>
    public int Count => _entries.Count;

    /// <summary>Records one more failure of <paramref name="key"/> and returns how long to wait before the next attempt.</summary>
    public TimeSpan Next(string key)
    {
        var now = _time.GetUtcNow();
        if (!_entries.TryGetValue(key, out var entry) || now - entry.LastFailure > 2 * _max) entry = new Entry(0, now);
        var failures = entry.Failures + 1;
        _entries[key] = new Entry(failures, now);
        return Delay(failures);
    }

    /// <summary>The consecutive failures of <paramref name="key"/> on record.</summary>
    public int Failures(string key) => _entries.TryGetValue(key, out var entry) ? entry.Failures : 0;

    /// <summary>Forgets the failures of <paramref name="key"/> (it succeeded, or is gone).</summary>
    public void Reset(string key) => _entries.Remove(key);

    private TimeSpan Delay(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(_max.TotalMilliseconds, _initial.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 10))));

    private readonly record struct Entry(int Failures, DateTimeOffset LastFailure);
}
