using System.Globalization;

namespace Orchestrator.Domain.Events;

/// <summary>
/// What makes two occurrences the same Event, as Kubernetes' event correlator keys them: the
/// involved object (down to the container's <c>fieldPath</c>), type, reason, message and source.
/// </summary>
public sealed record EventKey(
    string Namespace, string InvolvedKind, string InvolvedName, string? InvolvedUid, string? FieldPath,
    string Type, string Reason, string Message, string Component, string? Host);

/// <summary>
/// The write one occurrence asks for: a new Event named <see cref="Name"/> (<see cref="IsNew"/>),
/// or an update of that existing Event to <see cref="Count"/> and <see cref="LastTimestamp"/>.
/// </summary>
public sealed record EventWrite(string Name, bool IsNew, int Count, DateTimeOffset FirstTimestamp, DateTimeOffset LastTimestamp);

/// <summary>
/// Turns repeats of an event into updates of the Event first written for it (count + 1, new
/// lastTimestamp) instead of new objects, so a crash loop keeps one BackOff Event rather than
/// one per restart. Remembers the <c>capacity</c> most recently seen keys (least recently seen
/// forgotten first, as Kubernetes' 4096-entry LRU); a forgotten or <see cref="Forget">failed</see>
/// key starts a new Event. Pure (no I/O); thread-safe.
/// </summary>
public sealed class EventAggregator
{
    private sealed record Entry(EventKey Key, string Name, int Count, DateTimeOffset First, DateTimeOffset Last);

    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly Dictionary<EventKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recent = new();
    private readonly Lock _gate = new();
    private long _sequence;

    public EventAggregator(int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(time);
        _capacity = capacity;
        _time = time;
    }

    /// <summary>Keys remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    /// <summary>Records one occurrence of <paramref name="key"/> now and says what to write.</summary>
    public EventWrite Observe(EventKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            Entry entry;
            if (_entries.Remove(key, out var node))
            {
                _recent.Remove(node);
                entry = node.Value with { Count = node.Value.Count + 1, Last = now > node.Value.Last ? now : node.Value.Last };
            }
            else
            {
                // Kubernetes names events <object>.<unix nanoseconds in hex>; the sequence keeps two in one tick apart.
                var name = string.Create(CultureInfo.InvariantCulture, $"{key.InvolvedName}.{now.UtcTicks:x}{_sequence++ % 0x1000:x3}");
                entry = new Entry(key, name, 1, now, now);
            }
            _entries[key] = _recent.AddFirst(entry);
            while (_entries.Count > _capacity)
            {
                _entries.Remove(_recent.Last!.Value.Key);
                _recent.RemoveLast();
            }
            return new EventWrite(entry.Name, entry.Count == 1, entry.Count, entry.First, entry.Last);
        }
    }

    /// <summary>Forgets <paramref name="key"/>: its next occurrence starts a new Event.</summary>
    public void Forget(EventKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            if (_entries.Remove(key, out var node)) _recent.Remove(node);
        }
    }
}
