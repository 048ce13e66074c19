using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Scheduling;

namespace Orchestrator.Domain.Controllers;

/// <summary>
/// The pure rules of the node lifecycle controller. A node whose agent stopped renewing its Ready
/// condition for longer than the grace period is unreachable: Ready becomes Unknown and it gets the
/// <c>node.kubernetes.io/unreachable:NoExecute</c> taint; its pods are evicted once they have
/// tolerated that taint for long enough (the pod's own tolerationSeconds, else the default).
/// </summary>
/// <remarks>
/// <code>
///   Ready ──no heartbeat for grace──► Unknown + taint ──toleration elapsed──► pods evicted
///     ▲                                    │
///     └──────── heartbeat again (Ready=True): taint removed ◄┘
/// </code>
/// </remarks>
public static class NodeLifecycle
{
    public const string UnreachableTaintKey = "node.kubernetes.io/unreachable";

    /// <summary>
    /// The annotation naming the cluster member (Akka address and uid) whose node agent posts the
    /// node's status; once that member is removed from the cluster the node is gone.
    /// </summary>
    public const string MemberAnnotation = "orchestrator.io/member";

    /// <summary>The earlier of two optional times.</summary>
    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (a < b ? a : b);

    /// <summary>The time of the last heartbeat: the Ready condition's lastHeartbeatTime, else the node's creation.</summary>
    public static DateTimeOffset? LastHeartbeat(JsonObject node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var ready = NodeState.ReadyCondition(node);
        var text = ready.GetString("lastHeartbeatTime") ?? ready.GetString("lastTransitionTime");
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : node.Timestamp("creationTimestamp");
    }

    public static bool IsUnreachable(JsonObject node, DateTimeOffset now, TimeSpan grace) =>
        LastHeartbeat(node) is { } hb && now - hb > grace;

    /// <summary>When the node got the unreachable taint, or null when it does not have it.</summary>
    public static DateTimeOffset? UnreachableSince(JsonObject node, DateTimeOffset fallback)
    {
        ArgumentNullException.ThrowIfNull(node);
        var taint = Taints(node).FirstOrDefault(t => t.GetString("key") == UnreachableTaintKey && t.GetString("effect") == Taint.NoExecute);
        if (taint is null) return null;
        return DateTimeOffset.TryParse(taint.GetString("timeAdded"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : fallback;
    }

    public static IReadOnlyList<JsonObject> Taints(JsonObject node) =>
        (node?["spec"]?["taints"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];

    /// <summary>The node's taints with the unreachable taint added (added at <paramref name="now"/>) or removed.</summary>
    public static JsonArray TaintsWithUnreachable(JsonObject node, bool present, DateTimeOffset now)
    {
        var kept = Taints(node).Where(t => t.GetString("key") != UnreachableTaintKey).Select(t => t.DeepClone()).ToList();
        if (present) kept.Add(new JsonObject { ["key"] = UnreachableTaintKey, ["effect"] = Taint.NoExecute, ["timeAdded"] = ObjectMeta.FormatTime(now) });
        return new JsonArray(kept.ToArray());
    }

    /// <summary>The status patch that turns Ready to Unknown at <paramref name="now"/> (the heartbeat time is left as it was).</summary>
    public static JsonObject ReadyUnknownPatch(JsonObject node, DateTimeOffset now)
    {
        var heartbeat = LastHeartbeat(node);
        return new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = "Unknown",
                    ["reason"] = "NodeStatusUnknown",
                    ["message"] = "Kubelet stopped posting node status.",
                    ["lastHeartbeatTime"] = heartbeat is null ? null : ObjectMeta.FormatTime(heartbeat.Value),
                    ["lastTransitionTime"] = ObjectMeta.FormatTime(now),
                }),
            },
        };
    }

    /// <summary>
    /// When a pod on a node tainted since <paramref name="taintedSince"/> is to be evicted: by its own
    /// toleration of the taint (null = tolerates forever), else after <paramref name="defaultToleration"/>.
    /// </summary>
    public static DateTimeOffset? EvictionTime(JsonObject pod, DateTimeOffset taintedSince, TimeSpan defaultToleration)
    {
        var taint = new Taint(UnreachableTaintKey, null, Taint.NoExecute);
        var tolerations = PodDemand.FromPod(pod).Tolerations.Where(t => t.Tolerates(taint)).ToList();
        if (tolerations.Count == 0) return taintedSince + defaultToleration;
        if (tolerations.Any(t => t.TolerationSeconds is null)) return null;
        return taintedSince.AddSeconds(Math.Max(0, tolerations.Min(t => t.TolerationSeconds!.Value)));
    }
}
