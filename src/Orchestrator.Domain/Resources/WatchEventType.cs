namespace Orchestrator.Domain.Resources;

/// <summary>
/// The type of one event of the Kubernetes watch protocol. On the wire it is the Kubernetes string
/// (<see cref="WatchEventTypes.WireName"/>: <c>ADDED</c>, <c>MODIFIED</c>, ...); inside the process
/// it is this type, so no one compares strings.
/// </summary>
public enum WatchEventType
{
    /// <summary>The object entered the watched selection (created, or now matching the selectors).</summary>
    Added,

    /// <summary>The object changed and matches the selection before and after.</summary>
    Modified,

    /// <summary>The object was deleted, or left the watched selection.</summary>
    Deleted,

    /// <summary>A progress marker carrying only a resourceVersion.</summary>
    Bookmark,

    /// <summary>The watch cannot go on; the object is a <c>Status</c>.</summary>
    Error,
}

/// <summary>The Kubernetes wire names of <see cref="WatchEventType"/>.</summary>
public static class WatchEventTypes
{
    /// <summary>The name Kubernetes sends in a watch event's <c>type</c> field.</summary>
    public static string WireName(this WatchEventType type) => type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        WatchEventType.Deleted => "DELETED",
        WatchEventType.Bookmark => "BOOKMARK",
        WatchEventType.Error => "ERROR",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a watch event type"),
    };

    /// <summary>The type a Kubernetes wire name stands for (case as Kubernetes sends it); null for any other text.</summary>
    public static WatchEventType? FromWireName(string? name) => name switch
    {
        "ADDED" => WatchEventType.Added,
        "MODIFIED" => WatchEventType.Modified,
        "DELETED" => WatchEventType.Deleted,
        "BOOKMARK" => WatchEventType.Bookmark,
        "ERROR" => WatchEventType.Error,
        _ => null,
    };
}
