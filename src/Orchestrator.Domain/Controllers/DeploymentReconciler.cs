using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Controllers;

/// <summary>One step of a Deployment sync.</summary>
public abstract record DeploymentAction;

/// <summary>Create this ReplicaSet (named after the deployment and the template hash).</summary>
public sealed record CreateReplicaSet(JsonObject ReplicaSet) : DeploymentAction;

/// <summary>Set a ReplicaSet's <c>spec.replicas</c> and these annotations (revision on a rollback).</summary>
public sealed record ScaleReplicaSet(string Name, int Replicas, IReadOnlyDictionary<string, string> Annotations) : DeploymentAction;

/// <summary>Delete an old, empty ReplicaSet beyond <c>revisionHistoryLimit</c>.</summary>
public sealed record DeleteReplicaSet(string Name) : DeploymentAction;

/// <summary>Set the deployment's <c>deployment.kubernetes.io/revision</c> annotation.</summary>
public sealed record AnnotateDeployment(string Revision) : DeploymentAction;

/// <summary>The writes of one Deployment sync, the status to write, and when to look again (progress deadline).</summary>
public sealed record DeploymentPlan(IReadOnlyList<DeploymentAction> Actions, JsonObject Status, TimeSpan? RecheckAfter);

/// <summary>
/// The pure Deployment reconciler (Kubernetes' deployment controller without side effects). The
/// ReplicaSet whose template equals the deployment's (ignoring <c>pod-template-hash</c>) is the new
/// one; any other owned ReplicaSet is old. So a rollback (<c>kubectl rollout undo</c> patches the
/// template back) reuses the old ReplicaSet and moves it to the newest revision.
/// </summary>
/// <remarks>
/// <code>
///   no new RS ──create (revision max+1)──► new RS
///   RollingUpdate: scale new up to replicas+maxSurge total ─► scale old down keeping replicas-maxUnavailable available
///   Recreate:      scale old to 0 ─► wait until their pods are gone ─► scale new to replicas
///   paused:        no rollout step, only scaling of a single active ReplicaSet
///   complete:      Progressing=True NewReplicaSetAvailable; no progress for progressDeadlineSeconds: ProgressDeadlineExceeded
/// </code>
/// </remarks>
public static class DeploymentReconciler
{
    public const string HashLabel = "pod-template-hash";
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

    public static DeploymentPlan Reconcile(JsonObject deployment, IReadOnlyList<JsonObject> ownedReplicaSets, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(ownedReplicaSets);
        var spec = deployment["spec"] as JsonObject ?? new JsonObject();
        var desired = (int)PodHelpers.Int(spec["replicas"], 1);
        var paused = spec["paused"] is JsonValue pv && pv.TryGetValue<bool>(out var p) && p;
        var recreate = (spec["strategy"] as JsonObject).GetString("type") == "Recreate";
        var (maxSurge, maxUnavailable) = recreate ? (0, 0) : RollingParameters(spec, desired);
        var template = spec["template"] as JsonObject ?? new JsonObject();
        var collisionCount = (int)PodHelpers.Int(deployment["status"]?["collisionCount"]);

        var state = ownedReplicaSets.Select(rs => new RsState(rs)).ToList();
        var newRs = state.Where(s => TemplatesEqual(s.Object["spec"]?["template"] as JsonObject, template)).OrderByDescending(s => s.Revision).FirstOrDefault();
        var old = state.Where(s => s != newRs).OrderBy(s => s.Revision).ThenBy(s => s.Object.Metadata().GetString("creationTimestamp"), StringComparer.Ordinal).ToList();
        var maxOldRevision = old.Count == 0 ? 0 : old.Max(s => s.Revision);
        var actions = new List<DeploymentAction>();
        var createdNew = false;
        var annotations = CopiedAnnotations(deployment);

        if (!paused)
        {
            if (newRs is null)
            {
                var replicas = recreate
                    ? (old.Any(s => s.Spec > 0 || s.StatusReplicas > 0) ? 0 : desired)
                    : NewReplicas(desired, maxSurge, old.Sum(s => s.Spec), 0);
                var created = NewReplicaSet(deployment, template, collisionCount, replicas, (maxOldRevision + 1).ToString(CultureInfo.InvariantCulture), annotations, desired, maxSurge);
                actions.Add(new CreateReplicaSet(created));
                newRs = new RsState(created);
                createdNew = true;
            }
            else if (newRs.Revision <= maxOldRevision)
            {
                // A rollback: the old ReplicaSet becomes the newest revision again.
                newRs.Revision = maxOldRevision + 1;
                newRs.Annotations = new Dictionary<string, string>(annotations) { [RevisionAnnotation] = newRs.Revision.ToString(CultureInfo.InvariantCulture) };
            }

            if (recreate) Recreate(newRs, old, desired);
            else Rolling(newRs, old, desired, maxSurge, maxUnavailable);
        }
        else
        {
            // Paused: scaling still works when one ReplicaSet holds every replica.
            var active = state.Where(s => s.Spec > 0).ToList();
            if (active.Count == 1) active[0].Spec = desired;
            else if (active.Count == 0 && newRs is not null) newRs.Spec = desired;
        }

        foreach (var s in state.Append(newRs).OfType<RsState>().Distinct())
        {
            if (createdNew && s == newRs) continue;
            if (s.Spec != s.OriginalSpec || s.Annotations is not null)
            {
                var set = new Dictionary<string, string>(s.Annotations ?? new Dictionary<string, string>())
                {
                    [DesiredReplicasAnnotation] = desired.ToString(CultureInfo.InvariantCulture),
                    [MaxReplicasAnnotation] = (desired + maxSurge).ToString(CultureInfo.InvariantCulture),
                };
                actions.Add(new ScaleReplicaSet(s.Name, s.Spec, set));
            }
        }

        // Revision history: delete the oldest empty ReplicaSets beyond the limit.
        var limit = (int)PodHelpers.Int(spec["revisionHistoryLimit"], 10);
        var empty = old.Where(s => s.Spec == 0 && s.OriginalSpec == 0 && s.StatusReplicas == 0 && !s.Object.IsDeleting()).ToList();
        foreach (var s in empty.Take(Math.Max(0, empty.Count - limit))) actions.Add(new DeleteReplicaSet(s.Name));

        if (newRs is not null && deployment.Annotations().GetValueOrDefault(RevisionAnnotation) != newRs.Revision.ToString(CultureInfo.InvariantCulture))
            actions.Add(new AnnotateDeployment(newRs.Revision.ToString(CultureInfo.InvariantCulture)));

        var (status, recheck) = Status(deployment, state, newRs, desired, maxUnavailable, paused, createdNew, actions.Any(a => a is ScaleReplicaSet or CreateReplicaSet), now);
        return new DeploymentPlan(actions, status, recheck);
    }

    private static void Recreate(RsState newRs, List<RsState> old, int desired)
    {
        if (old.Any(s => s.Spec > 0))
        {
            foreach (var s in old) s.Spec = 0;
            return;
        }
        if (old.Any(s => s.StatusReplicas > 0)) return; // old pods still terminating
        newRs.Spec = desired;
    }

    private static void Rolling(RsState newRs, List<RsState> old, int desired, int maxSurge, int maxUnavailable)
    {
        // Scale up the new ReplicaSet within maxSurge.
        if (newRs.Spec > desired)
        {
            newRs.Spec = desired;
        }
        else if (newRs.Spec < desired)
        {
            var target = NewReplicas(desired, maxSurge, old.Sum(s => s.Spec), newRs.Spec);
            if (target > newRs.Spec)
            {
                newRs.Spec = target;
                return;
            }
        }

        // Scale down old ReplicaSets, keeping desired - maxUnavailable available.
        var all = old.Append(newRs).ToList();
        var allPods = all.Sum(s => s.Spec);
        var minAvailable = desired - maxUnavailable;
        var newUnavailable = newRs.Spec - newRs.Available;
        var maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) return;
        // First the replicas that are not available anyway (they cost no availability).
        var cleaned = 0;
        foreach (var s in old)
        {
            if (cleaned >= maxScaledDown) break;
            if (s.Spec == 0) continue;
            var unhealthy = Math.Max(0, s.Spec - s.Available);
            var down = Math.Min(unhealthy, maxScaledDown - cleaned);
            s.Spec -= down;
            cleaned += down;
        }
        // Then available ones, as long as enough stay available.
        var available = all.Sum(s => Math.Min(s.Available, s.Spec));
        if (available <= minAvailable) return;
        var total = Math.Min(available - minAvailable, maxScaledDown - cleaned);
        foreach (var s in old)
        {
            if (total <= 0) break;
            var down = Math.Min(s.Spec, total);
            s.Spec -= down;
            total -= down;
        }
    }

    private static int NewReplicas(int desired, int maxSurge, int oldSpec, int newSpec)
    {
        var current = oldSpec + newSpec;
        var maxTotal = desired + maxSurge;
        if (current >= maxTotal) return newSpec;
        return Math.Min(newSpec + (maxTotal - current), desired);
    }

    /// <summary>maxSurge (rounded up) and maxUnavailable (rounded down) from ints or percentages; both 0 means 1 unavailable.</summary>
    public static (int Surge, int Unavailable) RollingParameters(JsonObject spec, int desired)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var rolling = spec["strategy"]?["rollingUpdate"] as JsonObject;
        var surge = IntOrPercent(rolling?["maxSurge"], desired, roundUp: true, fallback: "25%");
        var unavailable = IntOrPercent(rolling?["maxUnavailable"], desired, roundUp: false, fallback: "25%");
        if (surge == 0 && unavailable == 0) unavailable = 1;
        return (surge, Math.Min(unavailable, desired));
    }

    private static int IntOrPercent(JsonNode? node, int total, bool roundUp, string fallback)
    {
        if (node.GetLong() is { } n) return (int)n;
        var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : fallback;
        if (text.EndsWith('%') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pct))
            return roundUp ? (int)Math.Ceiling(total * pct / 100.0) : (int)Math.Floor(total * pct / 100.0);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : 0;
    }

    private static (JsonObject Status, TimeSpan? Recheck) Status(JsonObject deployment, List<RsState> state, RsState? newRs, int desired, int maxUnavailable,
        bool paused, bool createdNew, bool acting, DateTimeOffset now)
    {
        var replicas = state.Sum(s => s.StatusReplicas);
        var updated = newRs?.StatusReplicas ?? 0;
        var ready = state.Sum(s => s.Ready);
        var available = state.Sum(s => s.Available);
        var previous = deployment["status"] as JsonObject;
        var conditions = (previous?["conditions"] as JsonArray)?.OfType<JsonObject>().Select(c => (JsonObject)c.DeepClone()).ToList() ?? [];
        var time = ObjectMeta.FormatTime(now);

        void Set(string type, string status, string reason, string message)
        {
            var existing = conditions.FirstOrDefault(c => c.GetString("type") == type);
            if (existing is not null && existing.GetString("status") == status && existing.GetString("reason") == reason && existing.GetString("message") == message) return;
            var transition = existing is not null && existing.GetString("status") == status ? existing.GetString("lastTransitionTime") ?? time : time;
            conditions.Remove(existing!);
            conditions.Add(new JsonObject
            {
                ["type"] = type,
                ["status"] = status,
                ["lastUpdateTime"] = time,
                ["lastTransitionTime"] = transition,
                ["reason"] = reason,
                ["message"] = message,
            });
        }

        if (available >= desired - maxUnavailable) Set("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
        else Set("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.");

        TimeSpan? recheck = null;
        var deadline = PodHelpers.Int(deployment["spec"]?["progressDeadlineSeconds"], 600);
        var rsName = newRs?.Name ?? "";
        var complete = newRs is not null && updated == desired && replicas == desired && available == desired && newRs.Spec == desired;
        var progressed = previous is null
            || previous["updatedReplicas"].GetLong() != updated || previous["readyReplicas"].GetLong() != ready
            || previous["availableReplicas"].GetLong() != available || previous["replicas"].GetLong() != replicas;
        var progressing = conditions.FirstOrDefault(c => c.GetString("type") == "Progressing");
        if (paused)
        {
            Set("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused");
        }
        else if (complete)
        {
            Set("Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed.");
        }
        else if (createdNew)
        {
            Set("Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{rsName}\"");
            recheck = TimeSpan.FromSeconds(deadline);
        }
        else if (acting || progressed || progressing is null || progressing.GetString("reason") is "DeploymentPaused" or "NewReplicaSetAvailable" or "DeploymentResumed")
        {
            var reason = progressing?.GetString("reason") == "DeploymentPaused" ? "DeploymentResumed" : "ReplicaSetUpdated";
            var message = reason == "DeploymentResumed" ? "Deployment is resumed" : $"ReplicaSet \"{rsName}\" is progressing.";
            // Progress refreshes lastUpdateTime even when reason and message stay.
            conditions.RemoveAll(c => c.GetString("type") == "Progressing" && (c.GetString("reason") != reason || progressed || acting));
            Set("Progressing", "True", reason, message);
            recheck = TimeSpan.FromSeconds(deadline);
        }
        else if (progressing.GetString("reason") != "ProgressDeadlineExceeded")
        {
            var since = DateTimeOffset.TryParse(progressing.GetString("lastUpdateTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : now;
            if (since.AddSeconds(deadline) <= now) Set("Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing.");
            else recheck = since.AddSeconds(deadline) - now + TimeSpan.FromMilliseconds(100);
        }

        var status = new JsonObject
        {
            ["observedGeneration"] = deployment.Generation(),
            ["replicas"] = replicas,
            ["updatedReplicas"] = updated,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = available,
            ["unavailableReplicas"] = Math.Max(0, replicas - available),
            ["conditions"] = new JsonArray(conditions.OrderBy(c => c.GetString("type") == "Available" ? 0 : 1).Select(c => (JsonNode)c).ToArray()),
        };
        if (previous?["collisionCount"] is { } cc) status["collisionCount"] = cc.DeepClone();
        return (status, recheck);
    }

    /// <summary>True when the status a plan computed differs from the stored one other than in condition timestamps (a rewrite of the same status is no change).</summary>
    public static bool StatusChanged(JsonObject deployment, JsonObject status)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return !JsonNode.DeepEquals(WithoutTimes(deployment["status"]), WithoutTimes(status));
    }

    private static JsonNode? WithoutTimes(JsonNode? status)
    {
        if (status?.DeepClone() is not JsonObject copy) return null;
        if (copy["conditions"] is JsonArray conditions)
        {
            foreach (var c in conditions.OfType<JsonObject>())
            {
                c.Remove("lastUpdateTime");
                c.Remove("lastTransitionTime");
            }
        }
        return copy;
    }

    private static JsonObject NewReplicaSet(JsonObject deployment, JsonObject template, int collisionCount, int replicas, string revision,
        Dictionary<string, string> annotations, int desired, int maxSurge)
    {
        var hash = TemplateHash(template, collisionCount);
        var podTemplate = (JsonObject)template.DeepClone();
        var templateMeta = podTemplate["metadata"] as JsonObject ?? new JsonObject();
        podTemplate["metadata"] = templateMeta;
        var labels = templateMeta["labels"] as JsonObject ?? new JsonObject();
        templateMeta["labels"] = labels;
        labels[HashLabel] = hash;
        var selector = deployment["spec"]?["selector"]?.DeepClone() as JsonObject ?? new JsonObject();
        var matchLabels = selector["matchLabels"] as JsonObject ?? new JsonObject();
        selector["matchLabels"] = matchLabels;
        matchLabels[HashLabel] = hash;
        var rsAnnotations = new JsonObject();
        foreach (var (k, v) in annotations) rsAnnotations[k] = v;
        rsAnnotations[RevisionAnnotation] = revision;
        rsAnnotations[DesiredReplicasAnnotation] = desired.ToString(CultureInfo.InvariantCulture);
        rsAnnotations[MaxReplicasAnnotation] = (desired + maxSurge).ToString(CultureInfo.InvariantCulture);
        var spec = deployment["spec"] as JsonObject;
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{deployment.Name()}-{hash}",
                ["namespace"] = deployment.Namespace(),
                ["labels"] = labels.DeepClone(),
                ["annotations"] = rsAnnotations,
                ["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(deployment)),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["minReadySeconds"] = spec?["minReadySeconds"]?.DeepClone() ?? 0,
                ["selector"] = selector,
                ["template"] = podTemplate,
            },
        };
    }

    /// <summary>The deployment's annotations a ReplicaSet carries (change-cause and the like), without the controller's own.</summary>
    private static Dictionary<string, string> CopiedAnnotations(JsonObject deployment) =>
        deployment.Annotations()
            .Where(a => a.Key is not (RevisionAnnotation or DesiredReplicasAnnotation or MaxReplicasAnnotation or "kubectl.kubernetes.io/last-applied-configuration"))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

    /// <summary>
    /// Two pod templates are the same rollout when equal apart from the pod-template-hash label and
    /// apart from empty values: a null, <c>{}</c> or <c>[]</c> field means what an absent one does (Kubernetes
    /// compares typed templates, where they are all the zero value). kubectl rollout undo sends the
    /// old ReplicaSet's template as Go serializes it (<c>creationTimestamp: null</c>, <c>resources: {}</c>).
    /// </summary>
    public static bool TemplatesEqual(JsonObject? a, JsonObject? b) => JsonNode.DeepEquals(WithoutHash(a), WithoutHash(b));

    private static JsonObject WithoutHash(JsonObject? template)
    {
        var copy = template?.DeepClone() as JsonObject ?? new JsonObject();
        if (copy["metadata"]?["labels"] is JsonObject labels) labels.Remove(HashLabel);
        PruneEmpty(copy);
        return copy;
    }

    /// <summary>Removes nulls, empty objects and empty arrays from objects, innermost first.</summary>
    private static bool PruneEmpty(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return true;
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                    if (PruneEmpty(value)) o.Remove(key);
                return o.Count == 0;
            case JsonArray a:
                foreach (var item in a) PruneEmpty(item);
                return a.Count == 0;
            default:
                return false;
        }
    }

    /// <summary>Kubernetes-style pod-template-hash: FNV-1a of the canonical template (and collision count), in safe characters.</summary>
    public static string TemplateHash(JsonObject template, int collisionCount = 0)
    {
        var text = new StringBuilder();
        Canonical(WithoutHash(template), text);
        if (collisionCount > 0) text.Append(collisionCount.ToString(CultureInfo.InvariantCulture));
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(text.ToString()))
        {
            hash ^= b;
            hash *= 16777619;
        }
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(hash.ToString(CultureInfo.InvariantCulture).Select(c => alphabet[c % alphabet.Length]));
    }

    private static void Canonical(JsonNode? node, StringBuilder into)
    {
        switch (node)
        {
            case JsonObject o:
                into.Append('{');
                foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    into.Append('"').Append(k).Append("\":");
                    Canonical(v, into);
                    into.Append(',');
                }
                into.Append('}');
                break;
            case JsonArray a:
                into.Append('[');
                foreach (var v in a)
                {
                    Canonical(v, into);
                    into.Append(',');
                }
                into.Append(']');
                break;
            default:
                into.Append(node?.ToJsonString() ?? "null");
                break;
        }
    }

    /// <summary>A ReplicaSet during planning: its spec replicas may change, its status is as observed.</summary>
    private sealed class RsState(JsonObject rs)
    {
        public JsonObject Object { get; } = rs;
        public string Name { get; } = rs.Name();
        public int OriginalSpec { get; } = (int)PodHelpers.Int(rs["spec"]?["replicas"], 1);
        public int Spec { get; set; } = (int)PodHelpers.Int(rs["spec"]?["replicas"], 1);
        public int StatusReplicas { get; } = (int)PodHelpers.Int(rs["status"]?["replicas"]);
        public int Ready { get; } = (int)PodHelpers.Int(rs["status"]?["readyReplicas"]);
        public int Available { get; } = (int)PodHelpers.Int(rs["status"]?["availableReplicas"]);
        public long Revision { get; set; } = long.TryParse(rs.Annotations().GetValueOrDefault(RevisionAnnotation), NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : 0;
        public Dictionary<string, string>? Annotations { get; set; }
    }
}
