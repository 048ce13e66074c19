using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Scheduling;

namespace Orchestrator.Domain.DaemonSets;

/// <summary>
/// What one DaemonSet sync should do: create a pod on each of these nodes, delete these pods, and
/// write this status. <see cref="RecheckAfter"/>: when a ready pod becomes available (minReadySeconds).
/// </summary>
public sealed record DaemonSetPlan(IReadOnlyList<string> CreateOn, IReadOnlyList<string> Delete, JsonObject Status, TimeSpan? RecheckAfter)
{
    public bool ChangesPods => CreateOn.Count > 0 || Delete.Count > 0;
}

/// <summary>
/// The pure DaemonSet reconciler (Kubernetes' daemon controller without its side effects). A node
/// should run the daemon pod when the scheduler's own node affinity and taint filters accept the
/// template with the default DaemonSet tolerations; each daemon pod is pinned to its node by a
/// required node affinity on <c>metadata.name</c>, and the scheduler binds it.
/// </summary>
/// <remarks>
/// <code>
///   per node:  should run, no pod      ─► create (not while one there is still terminating)
///              should run, &gt;1 pods     ─► delete all but the oldest up-to-date one
///              should not run, pods    ─► delete them (counted misscheduled while running)
///              failed pod              ─► delete (recreated by the next sync)
///   RollingUpdate: old pods go while at most maxUnavailable nodes lack an available pod;
///                  with maxSurge, a new pod starts beside an old one first and the old one goes once the new one is available
///   OnDelete:      old pods stay until someone deletes them
/// </code>
/// </remarks>
public static class DaemonSetReconciler
{
    /// <summary>The label that names the template revision a daemon pod was made from.</summary>
    public const string HashLabel = "controller-revision-hash";

    /// <summary>The tolerations the DaemonSet controller adds to every daemon pod (as Kubernetes' AddOrUpdateDaemonPodTolerations).</summary>
    public static readonly IReadOnlyList<(string Key, string Effect)> DefaultTolerations =
    [
        ("node.kubernetes.io/not-ready", Taint.NoExecute),
        ("node.kubernetes.io/unreachable", Taint.NoExecute),
        ("node.kubernetes.io/disk-pressure", Taint.NoSchedule),
        ("node.kubernetes.io/memory-pressure", Taint.NoSchedule),
        ("node.kubernetes.io/pid-pressure", Taint.NoSchedule),
        ("node.kubernetes.io/unschedulable", Taint.NoSchedule),
    ];

    private static readonly IFilterStage[] Eligibility = [new NodeAffinityFilter(), new TaintTolerationFilter()];

    public static DaemonSetPlan Reconcile(JsonObject ds, IEnumerable<JsonObject> nodes, IEnumerable<JsonObject> ownedPods, DateTimeOffset now, bool expectationsSatisfied)
    {
        ArgumentNullException.ThrowIfNull(ds);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(ownedPods);
        var hash = CurrentHash(ds);
        var minReady = PodHelpers.Int(ds["spec"]?["minReadySeconds"]);
        var demand = PodDemand.FromPod(NewPod(ds, "", hash));
        var byNode = ownedPods.GroupBy(p => TargetNode(p) ?? "").ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var onDelete = ds["spec"]?["updateStrategy"].AsObjectOrNull().GetString("type") == "OnDelete";
        var surges = !onDelete && MaxSurge(ds, 1) > 0;
        var create = new List<string>();
        var delete = new List<string>();
        var nodeNames = new List<string>();
        int desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
        TimeSpan? recheck = null;
        // Per node that should run the pod: its old active pod, and whether it has a new available one.
        var rolling = new List<(string Node, JsonObject Old, bool OldAvailable, bool NewAvailable, bool HasNew)>();
        foreach (var node in nodes)
        {
            var name = node.Name();
            nodeNames.Add(name);
            var pods = byNode.GetValueOrDefault(name) ?? [];
            var state = NodeState.FromNode(node);
            var shouldRun = Eligibility.All(f => f.Feasible(demand, state, new List<string>()));
            foreach (var failed in pods.Where(p => !p.IsDeleting() && PodHelpers.Phase(p) == "Failed")) delete.Add(failed.Name());
            var active = pods.Where(PodHelpers.IsActive).OrderBy(p => Hash(p) == hash ? 0 : 1)
                .ThenBy(p => p.Metadata().GetString("creationTimestamp"), StringComparer.Ordinal).ThenBy(p => p.Name(), StringComparer.Ordinal).ToList();
            if (!shouldRun)
            {
                if (active.Any(p => PodHelpers.NodeName(p) is not null)) misscheduled++;
                delete.AddRange(active.Select(p => p.Name()));
                continue;
            }
            desired++;
            if (active.Count == 0)
            {
                if (!pods.Any(p => p.IsDeleting())) create.Add(name);
                continue;
            }
            current++;
            var newPods = active.Where(p => Hash(p) == hash).ToList();
            var oldPods = active.Where(p => Hash(p) != hash).ToList();
            var newAvailable = newPods.Count > 0 && IsAvailable(newPods[0], minReady, now, ref recheck);
            // One pod per node: extra new pods go; old pods go once a new one is there (with maxSurge: once it is available).
            delete.AddRange(newPods.Skip(1).Select(p => p.Name()));
            var oldGo = newPods.Count > 0 && (!surges || newAvailable);
            if (oldGo) delete.AddRange(oldPods.Select(p => p.Name()));
            else if (newPods.Count == 0) delete.AddRange(oldPods.Skip(1).Select(p => p.Name()));
            // The node counts as ready or available through its new pod, or through the old pod that stays.
            var oldStays = oldPods.Count > 0 && !oldGo;
            var oldAvailable = oldStays && IsAvailable(oldPods[0], minReady, now, ref recheck);
            if (newPods.Count > 0 && PodHelpers.IsReady(newPods[0]) || oldStays && PodHelpers.IsReady(oldPods[0])) ready++;
            if (newAvailable || oldAvailable) available++;
            if (newPods.Count > 0) updated++;
            if (oldStays) rolling.Add((name, oldPods[0], oldAvailable, newAvailable, newPods.Count > 0));
        }
        if (!onDelete) Roll(ds, desired, desired - available, rolling, create, delete);
        // Pods pinned to nodes that do not exist (any more) go too.
        foreach (var (node, pods) in byNode)
        {
            if (node.Length > 0 && nodeNames.Contains(node, StringComparer.Ordinal)) continue;
            delete.AddRange(pods.Where(PodHelpers.IsActive).Select(p => p.Name()));
        }
        var status = new JsonObject
        {
            ["currentNumberScheduled"] = current,
            ["numberMisscheduled"] = misscheduled,
            ["desiredNumberScheduled"] = desired,
            ["numberReady"] = ready,
            ["observedGeneration"] = ds.Generation(),
            ["updatedNumberScheduled"] = updated,
            ["numberAvailable"] = available,
            ["numberUnavailable"] = desired - available,
        };
        if (!expectationsSatisfied || ds.IsDeleting()) return new DaemonSetPlan([], [], status, recheck);
        return new DaemonSetPlan(create.Distinct(StringComparer.Ordinal).ToList(), delete.Distinct(StringComparer.Ordinal).ToList(), status, recheck);
    }

    /// <summary>
    /// The rolling update across nodes: old pods are deleted (maxSurge 0) or get a new pod beside
    /// them (maxSurge &gt; 0) while the number of nodes without an available pod stays within budget.
    /// </summary>
    private static void Roll(JsonObject ds, int desired, int unavailable, List<(string Node, JsonObject Old, bool OldAvailable, bool NewAvailable, bool HasNew)> nodes, List<string> create, List<string> delete)
    {
        var surge = MaxSurge(ds, desired);
        var unavailableBudget = MaxUnavailable(ds, desired);
        if (surge == 0)
        {
            // Old pods that are not available cost nothing to replace; available ones within the budget.
            foreach (var n in nodes.Where(n => !n.HasNew).OrderBy(n => n.OldAvailable ? 1 : 0))
            {
                if (n.OldAvailable)
                {
                    if (unavailable >= unavailableBudget) break;
                    unavailable++;
                }
                delete.Add(n.Old.Name());
            }
            return;
        }
        var surging = nodes.Count(n => n.HasNew);
        foreach (var n in nodes.Where(n => !n.HasNew))
        {
            if (!n.OldAvailable)
            {
                delete.Add(n.Old.Name());
                continue;
            }
            if (surging >= surge) break;
            surging++;
            create.Add(n.Node);
        }
    }

    private static int MaxSurge(JsonObject ds, int desired) =>
        DeploymentReconciler.IntOrPercent(ds["spec"]?["updateStrategy"]?["rollingUpdate"]?["maxSurge"], desired, roundUp: true, fallback: "0");

    private static int MaxUnavailable(JsonObject ds, int desired)
    {
        var n = DeploymentReconciler.IntOrPercent(ds["spec"]?["updateStrategy"]?["rollingUpdate"]?["maxUnavailable"], desired, roundUp: true, fallback: "1");
        return n == 0 && MaxSurge(ds, desired) == 0 ? 1 : n;
    }

    private static bool IsAvailable(JsonObject pod, long minReady, DateTimeOffset now, ref TimeSpan? recheck)
    {
        if (!PodHelpers.IsReady(pod)) return false;
        if (minReady <= 0) return true;
        var since = PodHelpers.ReadySince(pod) ?? now;
        var at = since.AddSeconds(minReady);
        if (at <= now) return true;
        var wait = at - now + TimeSpan.FromMilliseconds(100);
        if (recheck is null || wait < recheck) recheck = wait;
        return false;
    }

    /// <summary>The hash of the DaemonSet's current template (the value of <see cref="HashLabel"/> on its new pods).</summary>
    public static string CurrentHash(JsonObject ds)
    {
        ArgumentNullException.ThrowIfNull(ds);
        return DeploymentReconciler.TemplateHash(ds["spec"]?["template"] as JsonObject ?? new JsonObject());
    }

    private static string? Hash(JsonObject pod) => pod.Labels().GetValueOrDefault(HashLabel);

    /// <summary>The node a daemon pod is bound to, else the node its <c>metadata.name</c> affinity pins it to.</summary>
    public static string? TargetNode(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (PodHelpers.NodeName(pod) is { } bound) return bound;
        var terms = pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray;
        foreach (var term in terms?.OfType<JsonObject>() ?? [])
        {
            foreach (var field in (term["matchFields"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (field.GetString("key") == "metadata.name" && field.GetString("operator") == "In" && field["values"] is JsonArray { Count: 1 } values)
                    return values[0]?.GetValue<string>();
            }
        }
        return null;
    }

    /// <summary>
    /// A daemon pod for <paramref name="nodeName"/>: the template, owned by the DaemonSet, labelled
    /// with the template hash, with the default tolerations, and with its required node affinity
    /// replaced by one term pinning it to the node (kept otherwise, as Kubernetes does).
    /// </summary>
    public static JsonObject NewPod(JsonObject ds, string nodeName, string? hash = null)
    {
        ArgumentNullException.ThrowIfNull(ds);
        var template = ds["spec"]?["template"] as JsonObject ?? new JsonObject();
        var meta = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        meta.Remove("name");
        meta["generateName"] = ds.Name() + "-";
        meta["namespace"] = ds.Namespace();
        meta["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(ds));
        if (meta["labels"] is not JsonObject labels)
        {
            labels = new JsonObject();
            meta["labels"] = labels;
        }
        labels[HashLabel] = hash ?? CurrentHash(ds);
        var spec = template["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
        if (spec["tolerations"] is not JsonArray tolerations)
        {
            tolerations = new JsonArray();
            spec["tolerations"] = tolerations;
        }
        foreach (var (key, effect) in DefaultTolerations)
        {
            if (tolerations.OfType<JsonObject>().Any(t => t.GetString("key") == key && t.GetString("effect") == effect)) continue;
            tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = effect });
        }
        if (nodeName.Length > 0)
        {
            var affinity = spec["affinity"] as JsonObject ?? new JsonObject();
            spec["affinity"] = affinity;
            var nodeAffinity = affinity["nodeAffinity"] as JsonObject ?? new JsonObject();
            affinity["nodeAffinity"] = nodeAffinity;
            nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
            {
                ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                {
                    ["matchFields"] = new JsonArray(new JsonObject { ["key"] = "metadata.name", ["operator"] = "In", ["values"] = new JsonArray(nodeName) }),
                }),
            };
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = spec,
        };
    }
}
