using System.Globalization;
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
/// This file holds the plan and the rollout strategies; the status is in
/// <c>DeploymentReconciler.Status.cs</c>, revisions and templates in <c>DeploymentReconciler.Revisions.cs</c>.
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
public static partial class DeploymentReconciler
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

    /// <summary>An int, or a percentage of <paramref name="total"/> rounded up or down (<paramref name="fallback"/> when absent).</summary>
    public static int IntOrPercent(JsonNode? node, int total, bool roundUp, string fallback)
    {
        if (node.GetLong() is { } n) return (int)n;
        var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : fallback;
        if (text.EndsWith('%') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pct))
            return roundUp ? (int)Math.Ceiling(total * pct / 100.0) : (int)Math.Floor(total * pct / 100.0);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : 0;
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
