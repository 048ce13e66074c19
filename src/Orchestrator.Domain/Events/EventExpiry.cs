using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Events;

/// <summary>
/// When an Event expires, as Kubernetes' API server lets etcd drop it (<c>--event-ttl</c>, 1 h):
/// a time-to-live after it was last seen. Each repeat of an aggregated Event renews it, so a
/// crash loop's BackOff Event lives as long as the loop and one TTL after. Pure.
/// </summary>
public static class EventExpiry
{
    /// <summary>
    /// When the Event last happened: the latest of core v1's <c>lastTimestamp</c>,
    /// events.k8s.io's <c>series.lastObservedTime</c> and <c>eventTime</c>, and the object's
    /// <c>creationTimestamp</c> (when it was written, for Events that carry none of the others).
    /// Null when it has no readable time at all.
    /// </summary>
    public static DateTimeOffset? LastSeen(JsonObject e)
    {
        ArgumentNullException.ThrowIfNull(e);
        DateTimeOffset? latest = null;
        foreach (var value in new[] { e.GetString("lastTimestamp"), (e["series"] as JsonObject)?.GetString("lastObservedTime"), e.GetString("eventTime") })
            if (value is { Length: > 0 } && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) && (latest is null || t > latest))
                latest = t;
        return e.Timestamp("creationTimestamp") is { } created && (latest is null || created > latest) ? created : latest;
    }

    /// <summary>When the Event expires: <paramref name="ttl"/> after <see cref="LastSeen"/>; null when it never does (no time, or a TTL of zero or less).</summary>
    public static DateTimeOffset? ExpiresAt(JsonObject e, TimeSpan ttl) =>
        ttl > TimeSpan.Zero && LastSeen(e) is { } seen ? seen + ttl : null;
}
