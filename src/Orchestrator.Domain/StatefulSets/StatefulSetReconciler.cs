using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.StatefulSets;

/// <summary>What one StatefulSet sync should do: create these ordinals, delete these pods, write this status.</summary>
public sealed record StatefulSetPlan(IReadOnlyList<int> Create, IReadOnlyList<string> Delete, JsonObject Status)
{
    public bool ChangesPods => Create.Count > 0 || Delete.Count > 0;
}

/// <summary>
/// The pure StatefulSet reconciler (Kubernetes' stateful set control without its side effects):
/// pod <c>NAME-i</c> for every ordinal below <c>spec.replicas</c>, with hostname <c>NAME-i</c> and
/// subdomain <c>spec.serviceName</c> so the headless Service gives it a stable DNS name.
/// </summary>
/// <remarks>
/// <code>
///   OrderedReady: create ordinal i only when 0..i-1 are Running and Ready; one step per sync;
///                 scale down from the highest ordinal, one at a time, once the rest are Ready
///   Parallel:     create every missing ordinal and delete every condemned one at once
///   RollingUpdate: once every pod is Running and Ready, delete the highest ordinal ≥ partition whose
///                  revision is old (it is recreated from the new template by a later sync)
///   OnDelete:     old pods stay until someone deletes them
///   a failed pod is deleted and recreated under the same name
/// </code>
/// </remarks>
public static class StatefulSetReconciler
{
    public const string RevisionLabel = "controller-revision-hash";
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";

    public static StatefulSetPlan Reconcile(JsonObject sts, IEnumerable<JsonObject> ownedPods, DateTimeOffset now, bool expectationsSatisfied)
    {
        ArgumentNullException.ThrowIfNull(sts);
        ArgumentNullException.ThrowIfNull(ownedPods);
        var name = sts.Name();
        var replicas = (int)PodHelpers.Int(sts["spec"]?["replicas"], 1);
        var parallel = sts["spec"].AsObjectOrNull().GetString("podManagementPolicy") == "Parallel";
        var onDelete = sts["spec"]?["updateStrategy"].AsObjectOrNull().GetString("type") == "OnDelete";
        var partition = (int)PodHelpers.Int(sts["spec"]?["updateStrategy"]?["rollingUpdate"]?["partition"]);
        var minReady = PodHelpers.Int(sts["spec"]?["minReadySeconds"]);
        var updateRevision = UpdateRevision(sts);
        var byOrdinal = new SortedDictionary<int, JsonObject>();
        var strays = new List<JsonObject>();
        foreach (var pod in ownedPods)
        {
            if (Ordinal(name, pod.Name()) is { } i) byOrdinal[i] = pod;
            else strays.Add(pod);
        }
        var create = new List<int>();
        var delete = new List<string>();
        var blocked = false;
        for (var i = 0; i < replicas; i++)
        {
            if (!byOrdinal.TryGetValue(i, out var pod))
            {
                if (!blocked || parallel) create.Add(i);
                blocked = true;
                continue;
            }
            if (pod.IsDeleting()) { blocked = true; continue; }
            if (PodHelpers.Phase(pod) == "Failed")
            {
                if (!blocked || parallel) delete.Add(pod.Name());
                blocked = true;
                continue;
            }
            if (!(PodHelpers.Phase(pod) == "Running" && PodHelpers.IsReady(pod))) blocked = true;
        }
        // Condemned ordinals, highest first.
        var condemned = byOrdinal.Where(p => p.Key >= replicas).OrderByDescending(p => p.Key).Select(p => p.Value).ToList();
        if (parallel) delete.AddRange(condemned.Where(p => !p.IsDeleting()).Select(p => p.Name()));
        else if (!blocked && condemned.Count > 0 && condemned.All(p => !p.IsDeleting())) delete.Add(condemned[0].Name());
        delete.AddRange(strays.Where(p => !p.IsDeleting()).Select(p => p.Name()));
        // Rolling update: only when the set is whole and steady.
        var live = byOrdinal.Where(p => p.Key < replicas).ToList();
        if (!onDelete && create.Count == 0 && delete.Count == 0 && live.Count == replicas
            && live.All(p => !p.Value.IsDeleting() && PodHelpers.Phase(p.Value) == "Running" && PodHelpers.IsReady(p.Value)))
        {
            var outdated = live.Where(p => p.Key >= partition && Revision(p.Value) != updateRevision).OrderByDescending(p => p.Key).FirstOrDefault();
            if (outdated.Value is not null) delete.Add(outdated.Value.Name());
        }
        var status = Status(sts, byOrdinal.Values, updateRevision, replicas, minReady, now);
        if (!expectationsSatisfied || sts.IsDeleting()) return new StatefulSetPlan([], [], status);
        return new StatefulSetPlan(create, delete.Distinct(StringComparer.Ordinal).ToList(), status);
    }

    private static JsonObject Status(JsonObject sts, IEnumerable<JsonObject> pods, string updateRevision, int replicas, long minReady, DateTimeOffset now)
    {
        var active = pods.Where(p => !p.IsDeleting() && PodHelpers.Phase(p) is not ("Succeeded" or "Failed")).ToList();
        var currentRevision = sts["status"].AsObjectOrNull().GetString("currentRevision") ?? updateRevision;
        var updated = active.Count(p => Revision(p) == updateRevision);
        var ready = active.Count(PodHelpers.IsReady);
        // The rollout is complete once every replica runs the new revision and is ready: it becomes the current one.
        if (updated == replicas && ready >= replicas && active.Count == replicas) currentRevision = updateRevision;
        var available = active.Count(p => PodHelpers.IsReady(p) && (minReady <= 0 || (PodHelpers.ReadySince(p) ?? now).AddSeconds(minReady) <= now));
        return new JsonObject
        {
            ["observedGeneration"] = sts.Generation(),
            ["replicas"] = active.Count,
            ["readyReplicas"] = ready,
            ["currentReplicas"] = active.Count(p => Revision(p) == currentRevision),
            ["updatedReplicas"] = updated,
            ["availableReplicas"] = available,
            ["currentRevision"] = currentRevision,
            ["updateRevision"] = updateRevision,
            ["collisionCount"] = 0,
        };
    }

    /// <summary>The revision of the current template: <c>NAME-HASH</c>, as Kubernetes names ControllerRevisions.</summary>
    public static string UpdateRevision(JsonObject sts)
    {
        ArgumentNullException.ThrowIfNull(sts);
        return $"{sts.Name()}-{DeploymentReconciler.TemplateHash(sts["spec"]?["template"] as JsonObject ?? new JsonObject())}";
    }

    private static string? Revision(JsonObject pod) => pod.Labels().GetValueOrDefault(RevisionLabel);

    /// <summary>The ordinal of pod <paramref name="podName"/> of StatefulSet <paramref name="setName"/> (NAME-i), else null.</summary>
    public static int? Ordinal(string setName, string podName)
    {
        ArgumentNullException.ThrowIfNull(setName);
        ArgumentNullException.ThrowIfNull(podName);
        if (!podName.StartsWith(setName + "-", StringComparison.Ordinal)) return null;
        var tail = podName.AsSpan(setName.Length + 1);
        if (tail.Length == 0 || (tail.Length > 1 && tail[0] == '0')) return null;
        return int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;
    }

    /// <summary>Pod <c>NAME-i</c> from the template: owned by the set, its hostname and subdomain set, labelled with its name, index and revision.</summary>
    public static JsonObject NewPod(JsonObject sts, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(sts);
        var podName = $"{sts.Name()}-{ordinal.ToString(CultureInfo.InvariantCulture)}";
        var template = sts["spec"]?["template"] as JsonObject ?? new JsonObject();
        var meta = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        meta.Remove("generateName");
        meta["name"] = podName;
        meta["namespace"] = sts.Namespace();
        meta["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(sts));
        if (meta["labels"] is not JsonObject labels)
        {
            labels = new JsonObject();
            meta["labels"] = labels;
        }
        labels[RevisionLabel] = UpdateRevision(sts);
        labels[PodNameLabel] = podName;
        labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
        var spec = template["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
        spec["hostname"] = podName;
        if (sts["spec"].AsObjectOrNull().GetString("serviceName") is { Length: > 0 } service) spec["subdomain"] = service;
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = spec,
        };
    }
}
