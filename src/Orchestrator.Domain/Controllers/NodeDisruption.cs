using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Controllers;

/// <summary>
/// A span during which this control-plane member could not use the journal (its writes or reads
/// failed); <see cref="End"/> is null while it lasts.
/// </summary>
public sealed record StoreOutage(DateTimeOffset Start, DateTimeOffset? End);

/// <summary>
/// What the member running the node lifecycle controller can see of the control plane: whether its
/// journal answers now, and how many cluster members it reaches (0 of 0 when it knows of no
/// cluster, as in a single process: then only the journal counts).
/// </summary>
public sealed record ControlPlaneView(bool JournalAvailable, int ReachableMembers, int Members)
{
    public static ControlPlaneView Healthy { get; } = new(true, 0, 0);
}

/// <summary>
/// A read of the controller's view made after the outage that ended at <see cref="OutageEnded"/>
/// found the view current (it had caught up with the journal) at <see cref="At"/>.
/// </summary>
public sealed record ViewCurrent(DateTimeOffset OutageEnded, DateTimeOffset At);

/// <summary>Why evictions are held: a short CamelCase reason (for conditions) and a sentence.</summary>
public sealed record EvictionHold(string Reason, string Message)
{
    public const string ControlPlaneCutOff = "ControlPlaneCutOff";
    public const string ClusterDisruption = "ClusterDisruption";
}

/// <summary>
/// When evictions stop because too many nodes are unhealthy at once (Kubernetes' node lifecycle
/// controller: a zone in PartialDisruption or FullDisruption): more than
/// <see cref="UnhealthyThreshold"/> of the nodes (Kubernetes' unhealthyZoneThreshold, 0.55) and at
/// least <see cref="MinUnhealthyNodes"/> of them. With the defaults, 2 silent nodes of 3 hold
/// evictions, 1 of 2 or 1 of 3 does not (a single dead node is still replaced).
/// </summary>
public sealed record DisruptionSettings(double UnhealthyThreshold, int MinUnhealthyNodes)
{
    public static DisruptionSettings Default { get; } = new(0.55, 2);
}

/// <summary>
/// The rules that keep a control-plane or journal problem from being taken for dead nodes: a node's
/// silence counts only while the store was observably healthy, and evictions stop while this member
/// is cut off or while so many nodes look unhealthy at once that the cause is more likely the
/// control plane's (or the network's) than the nodes'.
/// </summary>
/// <remarks>
/// <code>
///   heartbeat seen ──healthy store for a full grace──► silent (Unknown, tainted) ──► evict?
///        │                                                                         │
///        └─ outage within the grace: the grace starts again when the store returns  ├─ member cut off ──► hold
///                                                                                  ├─ > threshold of nodes unhealthy ──► hold (event + condition)
///                                                                                  └─ rate limiter has a token ──► evict this node's pods
/// </code>
/// </remarks>
public static class NodeDisruption
{
    /// <summary>The node condition that tells (kubectl describe node) why a silent node's pods are not evicted.</summary>
    public const string EvictionHeldCondition = "EvictionHeld";

    /// <summary>The Event reason recorded on a node when its pods' eviction is held.</summary>
    public const string EvictionsHeldReason = "EvictionsHeld";

    /// <summary>
    /// Since when a node whose last heartbeat was seen at <paramref name="lastSeen"/> is silent: the
    /// end of the first stretch of <paramref name="grace"/> after it during which the store was
    /// healthy (no outage). An outage that begins within that stretch starts the grace period again
    /// when it ends, since the node may have reported and the store not taken it. Null while the
    /// node is not (yet) silent at <paramref name="now"/>, including during an outage that began
    /// before the grace period was over.
    /// </summary>
    public static DateTimeOffset? SilentSince(DateTimeOffset lastSeen, IEnumerable<StoreOutage> outages, DateTimeOffset now, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(outages);
        var from = lastSeen;
        foreach (var outage in outages.OrderBy(o => o.Start))
        {
            if (outage.End is { } ended && ended <= from) continue;
            if (outage.Start >= from + grace) break; // a full grace of healthy store before it
            if (outage.End is not { } end) return null; // still unavailable: nothing counts yet
            from = end;
        }
        return now - from > grace ? from + grace : null;
    }

    /// <summary>
    /// The outages as the controller could observe the nodes through them: the journal answering
    /// again is not enough, the controller's view of the nodes (fed from the journal) must have
    /// caught up with it too, or heartbeats written meanwhile are not seen yet. So the last outage
    /// lasts until a read of the view made after it ended found the view current
    /// (<paramref name="viewCurrent"/>), and is still open while there is none: every node gets its
    /// full grace period from the moment the controller can see its heartbeats again.
    /// </summary>
    public static IReadOnlyList<StoreOutage> AsObserved(IReadOnlyList<StoreOutage> outages, ViewCurrent? viewCurrent)
    {
        ArgumentNullException.ThrowIfNull(outages);
        if (outages.Count == 0 || outages[^1].End is not { } end) return outages;
        var observedEnd = viewCurrent is { } v && v.OutageEnded == end ? (v.At > end ? v.At : end) : (DateTimeOffset?)null;
        return observedEnd == end ? outages : [.. outages.Take(outages.Count - 1), outages[^1] with { End = observedEnd }];
    }

    /// <summary>
    /// Why this member must not evict anything now (null: it may): its journal is unavailable, or it
    /// reaches no majority of the cluster's members (it may be the one cut off, and the nodes it
    /// cannot hear from are fine).
    /// </summary>
    public static EvictionHold? CutOff(ControlPlaneView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (!view.JournalAvailable)
            return new(EvictionHold.ControlPlaneCutOff, "this control-plane member cannot reach the journal; evictions are held until it can");
        if (view.Members > 0 && view.ReachableMembers * 2 <= view.Members)
            return new(EvictionHold.ControlPlaneCutOff, $"this control-plane member reaches only {view.ReachableMembers} of {view.Members} cluster members (no majority); evictions are held until it reaches a majority");
        return null;
    }

    /// <summary>
    /// Why evictions stop because of how many nodes are unhealthy (null: they may go on):
    /// <paramref name="unhealthy"/> of <paramref name="nodes"/> is more than the threshold and at
    /// least the minimum.
    /// </summary>
    public static EvictionHold? Disruption(int nodes, int unhealthy, DisruptionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (nodes <= 0 || unhealthy < settings.MinUnhealthyNodes) return null;
        var share = (double)unhealthy / nodes;
        if (share <= settings.UnhealthyThreshold) return null;
        return new(EvictionHold.ClusterDisruption, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{unhealthy} of {nodes} nodes ({share * 100:0}%) are unhealthy, more than the {settings.UnhealthyThreshold * 100:0.#}% disruption threshold: evictions are held (the cause is more likely the control plane or the network than the nodes) until fewer nodes are unhealthy"));
    }

    /// <summary>The first reason to hold evictions: this member cut off, then a cluster-wide disruption.</summary>
    public static EvictionHold? Hold(ControlPlaneView view, int nodes, int unhealthy, DisruptionSettings settings) =>
        CutOff(view) ?? Disruption(nodes, unhealthy, settings);

    /// <summary>
    /// The status patch that sets the node's <see cref="EvictionHeldCondition"/>: True with the hold's
    /// reason and message while its pods' eviction is held, False once evictions may go on.
    /// </summary>
    public static JsonObject EvictionHeldPatch(EvictionHold? hold, DateTimeOffset now) => new()
    {
        ["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = EvictionHeldCondition,
                ["status"] = hold is null ? "False" : "True",
                ["reason"] = hold?.Reason ?? "EvictionsAllowed",
                ["message"] = hold?.Message ?? "pods of this node may be evicted once it is unreachable",
                ["lastHeartbeatTime"] = ObjectMeta.FormatTime(now),
                ["lastTransitionTime"] = ObjectMeta.FormatTime(now),
            }),
        },
    };
}
