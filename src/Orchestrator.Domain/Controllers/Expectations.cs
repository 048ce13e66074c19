using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Controllers;

/// <summary>
/// What a controller still expects to observe of its own writes, per controller key (Kubernetes'
/// UIDTrackingControllerExpectations): after creating 3 pods it waits for 3 ADDED events, and
/// after deleting pods it waits until each of those pods was seen going (a deletion timestamp or
/// DELETED), before it creates or deletes for that key again, so a slow watch never makes it act
/// twice on one observation. Deletions are tracked by pod key: a graceful delete, seen first as a
/// deletion timestamp and later as DELETED, counts once, and a pod someone else deleted not at all.
/// Expectations older than the timeout count as met (a lost event must not block the controller
/// forever).
/// </summary>
public sealed class Expectations(TimeSpan timeout)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The controller is about to create <paramref name="creations"/> pods and delete <paramref name="deletions"/> (pod keys).</summary>
    public void Expect(string key, int creations, IEnumerable<string> deletions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deletions);
        if (!_entries.TryGetValue(key, out var e)) _entries[key] = e = new Entry();
        e.Creations = Math.Max(0, e.Creations) + creations;
        e.Deletions.UnionWith(deletions);
        e.SetAt = now;
    }

    /// <summary>A pod owned by <paramref name="key"/> was seen created.</summary>
    public void CreationObserved(string key)
    {
        if (_entries.TryGetValue(key, out var e)) e.Creations--;
    }

    /// <summary>A pod owned by <paramref name="key"/> was seen going (deletion timestamp or DELETED): counts once per pod.</summary>
    public void DeletionObserved(string key, string podKey)
    {
        if (_entries.TryGetValue(key, out var e)) e.Deletions.Remove(podKey);
    }

    /// <summary>A watch event of a pod owned by <paramref name="key"/>: ADDED is a creation seen, DELETED or a deletion timestamp a deletion.</summary>
    public void Observed(string key, string podKey, WatchEventType type, bool deleting)
    {
        if (type == WatchEventType.Added) CreationObserved(key);
        if (type == WatchEventType.Deleted || deleting) DeletionObserved(key, podKey);
    }

    public bool Satisfied(string key, DateTimeOffset now) =>
        !_entries.TryGetValue(key, out var e) || (e.Creations <= 0 && e.Deletions.Count == 0) || now - e.SetAt > timeout;

    public void Forget(string key) => _entries.Remove(key);

    private sealed class Entry
    {
        public int Creations { get; set; }

        public HashSet<string> Deletions { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset SetAt { get; set; }
    }
}
