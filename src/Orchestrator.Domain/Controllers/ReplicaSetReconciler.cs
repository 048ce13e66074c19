using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.Domain.Controllers;

/// <summary>
/// What a ReplicaSet sync should do: create this many pods from the template, delete these pods,
/// adopt these orphans (matching the selector, no controller), release these owned pods (no longer
/// matching), and write this status. <see cref="RecheckAfter"/>: when a ready pod becomes available
/// (minReadySeconds), so the status is recomputed then.
/// </summary>
public sealed record ReplicaSetPlan(
    int Create,
    IReadOnlyList<string> Delete,
    IReadOnlyList<string> Adopt,
    IReadOnlyList<string> Release,
    JsonObject Status,
    TimeSpan? RecheckAfter)
{
    public bool ChangesPods => Create > 0 || Delete.Count > 0;
}

/// <summary>
/// The pure ReplicaSet reconciler (Kubernetes' syncReplicaSet without the side effects): given the
/// ReplicaSet and every pod of its namespace, the plan that moves the owned, active pods toward
/// <c>spec.replicas</c>, in bursts of at most <c>burst</c>. While the controller still expects to
/// see its earlier creates/deletes, no pods are created or deleted (status is still computed).
/// </summary>
public static class ReplicaSetReconciler
{
    public static ReplicaSetPlan Reconcile(JsonObject rs, IEnumerable<JsonObject> namespacePods, DateTimeOffset now, int burst, bool expectationsSatisfied)
    {
        ArgumentNullException.ThrowIfNull(rs);
        ArgumentNullException.ThrowIfNull(namespacePods);
        var uid = rs.Uid();
        var selector = LabelSelector.FromLabelSelector(rs["spec"]?["selector"] as JsonObject);
        var desired = (int)PodHelpers.Int(rs["spec"]?["replicas"], 1);
        var minReady = PodHelpers.Int(rs["spec"]?["minReadySeconds"]);
        // Each pod's labels and readiness are read once: a sync looks at every pod it owns.
        var owned = new List<(JsonObject Pod, IReadOnlyDictionary<string, string> Labels)>();
        var adopt = new List<string>();
        var release = new List<string>();
        foreach (var pod in namespacePods)
        {
            var controller = PodHelpers.ControllerRef(pod).GetString("uid");
            var labels = LabelSelector.LabelsOf(pod);
            var matches = !selector.IsNothing && !selector.IsEverything && selector.Matches(labels);
            if (controller == uid && uid is not null)
            {
                if (matches) owned.Add((pod, labels));
                else if (!rs.IsDeleting()) release.Add(pod.Name());
            }
            else if (controller is null && matches && !pod.IsDeleting() && !rs.IsDeleting() && PodHelpers.IsActive(pod))
            {
                adopt.Add(pod.Name());
                owned.Add((pod, labels));
            }
        }
        var active = owned.Where(p => PodHelpers.IsActive(p.Pod))
            .Select(p => (p.Pod, p.Labels, Ready: PodHelpers.IsReady(p.Pod)))
            .ToList();
        var create = 0;
        IReadOnlyList<string> delete = [];
        if (expectationsSatisfied && !rs.IsDeleting())
        {
            var diff = active.Count - desired;
            if (diff < 0) create = Math.Min(-diff, burst);
            else if (diff > 0) delete = active.Select(p => p.Pod).OrderBy(DeletionRank).ThenByDescending(p => p.Metadata().GetString("creationTimestamp"), StringComparer.Ordinal)
                .ThenBy(p => p.Name(), StringComparer.Ordinal)
                .Take(Math.Min(diff, burst)).Select(p => p.Name()).ToList();
        }
        var templateLabels = ObjectMeta.StringMap(rs["spec"]?["template"]?["metadata"]?["labels"]);
        var ready = 0;
        var available = 0;
        var fullyLabeled = 0;
        TimeSpan? recheck = null;
        foreach (var (pod, labels, isReady) in active)
        {
            if (templateLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value)) fullyLabeled++;
            if (!isReady) continue;
            ready++;
            if (minReady <= 0)
            {
                available++;
                continue;
            }
            var since = PodHelpers.ReadySince(pod);
            if (since is not null && since.Value.AddSeconds(minReady) <= now)
            {
                available++;
                continue;
            }
            // Ready, not yet available (Kubernetes' IsPodAvailable): recompute the status when it becomes available.
            var wait = (since ?? now).AddSeconds(minReady) - now + TimeSpan.FromMilliseconds(100);
            if (recheck is null || wait < recheck) recheck = wait < TimeSpan.Zero ? TimeSpan.FromMilliseconds(100) : wait;
        }
        var status = new JsonObject
        {
            ["replicas"] = active.Count,
            ["fullyLabeledReplicas"] = fullyLabeled,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = available,
            ["observedGeneration"] = rs.Generation(),
        };
        return new ReplicaSetPlan(create, delete, adopt, release, status, recheck);
    }

    /// <summary>
    /// True when two versions of a pod look the same to <see cref="Reconcile"/>'s counts and status:
    /// labels, controller, deletion, phase and the Ready condition (status and since when). A change
    /// of anything else (the bind, container statuses, IPs) needs no sync of its ReplicaSet; where
    /// it matters (which pods go first on a scale-down) the next sync reads the pod as it is then.
    /// </summary>
    public static bool SameInputs(JsonObject previous, JsonObject current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var before = PodHelpers.Condition(previous, "Ready");
        var after = PodHelpers.Condition(current, "Ready");
        return previous.IsDeleting() == current.IsDeleting()
            && PodHelpers.Phase(previous) == PodHelpers.Phase(current)
            && before.GetString("status") == after.GetString("status")
            && before.GetString("lastTransitionTime") == after.GetString("lastTransitionTime")
            && PodHelpers.ControllerRef(previous).GetString("uid") == PodHelpers.ControllerRef(current).GetString("uid")
            && JsonNode.DeepEquals(previous.Metadata()["labels"], current.Metadata()["labels"]);
    }

    /// <summary>
    /// Which pods go first when scaling down (Kubernetes' ActivePods ordering): unscheduled before
    /// scheduled, pending before running, not ready before ready; then the newest.
    /// </summary>
    private static int DeletionRank(JsonObject pod) =>
        PodHelpers.NodeName(pod) is null ? 0
        : PodHelpers.Phase(pod) == "Pending" ? 1
        : !PodHelpers.IsReady(pod) ? 2
        : 3;

    /// <summary>A new pod from the ReplicaSet's template, owned by it (the store completes the name from generateName).</summary>
    public static JsonObject NewPod(JsonObject rs)
    {
        ArgumentNullException.ThrowIfNull(rs);
        var template = rs["spec"]?["template"] as JsonObject ?? new JsonObject();
        var meta = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        meta.Remove("name");
        meta["generateName"] = rs.Name() + "-";
        meta["namespace"] = rs.Namespace();
        meta["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(rs));
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }

    /// <summary>True when the status a plan computed differs from the one stored.</summary>
    public static bool StatusChanged(JsonObject obj, JsonObject status)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var current = obj["status"] as JsonObject;
        if (current is null) return true;
        foreach (var (key, value) in status)
        {
            if (!JsonNode.DeepEquals(current[key], value) && !(value.GetLong() == 0 && current[key] is null)) return true;
        }
        return false;
    }
}
