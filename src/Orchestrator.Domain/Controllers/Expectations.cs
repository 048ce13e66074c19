namespace Orchestrator.Domain.Controllers;

/// <summary>
/// What a controller still expects to observe of its own writes, per controller key (Kubernetes'
/// ControllerExpectations): after creating 3 pods it waits for 3 ADDED events before it acts on that
/// key again, so a slow watch never makes it create the same pods twice. Expectations older than the
/// timeout count as met (a lost event must not block the controller forever).
/// </summary>
public sealed class Expectations(TimeSpan timeout)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public void Expect(string key, int adds, int deletes, DateTimeOffset now)
    {
        var e = _entries.GetValueOrDefault(key);
        _entries[key] = new Entry(Math.Max(0, e?.Adds ?? 0) + adds, Math.Max(0, e?.Deletes ?? 0) + deletes, now);
    }

    public void CreationObserved(string key)
    {
        if (_entries.TryGetValue(key, out var e)) _entries[key] = e with { Adds = e.Adds - 1 };
    }

    public void DeletionObserved(string key)
    {
        if (_entries.TryGetValue(key, out var e)) _entries[key] = e with { Deletes = e.Deletes - 1 };
    }

    public bool Satisfied(string key, DateTimeOffset now) =>
        !_entries.TryGetValue(key, out var e) || (e.Adds <= 0 && e.Deletes <= 0) || now - e.SetAt > timeout;

    public void Forget(string key) => _entries.Remove(key);

    private sealed record Entry(int Adds, int Deletes, DateTimeOffset SetAt);
}
