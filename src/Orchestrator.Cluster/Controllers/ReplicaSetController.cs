using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Keeps the number of running pods of every ReplicaSet at <c>spec.replicas</c>: watches
/// ReplicaSets and pods, enqueues the ReplicaSet a change concerns, and per key runs the pure
/// <see cref="ReplicaSetReconciler"/> and applies its plan (create in slow-start batches, delete,
/// adopt, release, status). Expectations keep it from acting twice on one observation.
/// </summary>
public sealed class ReplicaSetController : ControllerActor
{
    public const string Component = "replicaset-controller";

    private readonly ControllerSettings _settings;
    private readonly Expectations _expectations;
    private readonly Dictionary<string, JsonObject> _replicaSets = new(StringComparer.Ordinal);
    // Pods by the uid of their controller, and pods without one by namespace: a sync looks at its
    // own pods and the orphans it may adopt, never at every pod of the namespace (Kubernetes keeps
    // the same index), so a sync costs the ReplicaSet's size, not the namespace's.
    private readonly OwnerIndex _pods = new(OwnerLinks.Controller, indexOrphans: true);

    public ReplicaSetController(IControllerStore store, ControllerSettings settings, TimeProvider time)
        : base(store, [ObjectFilter.All(ReplicaSetKind.Instance.Kind), ObjectFilter.All(PodKind.Instance.Kind)], time)
    {
        _settings = settings;
        _expectations = new Expectations(settings.ExpectationsTimeout);
    }

    public static Props Props(IControllerStore store, ControllerSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new ReplicaSetController(store, settings, time));

    protected override IEnumerable<string> AllKeys() => _replicaSets.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        var key = KeyOf(obj);
        if (kind == ReplicaSetKind.Instance.Kind)
        {
            if (ObserveOwner(_replicaSets, _pods, key, e)) _expectations.Forget(key);
            return [key];
        }

        var previous = e.Type == WatchEventType.Deleted ? _pods.Forget(key) : _pods.Observe(key, obj);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        // A bind or a container status changes nothing a sync counts: no sync (most pod events).
        var relevant = MayMatter(e, previous, ReplicaSetReconciler.SameInputs);
        foreach (var version in relevant ? new[] { previous, obj } : [])
        {
            if (version is null) continue;
            if (PodHelpers.ControllerRef(version).GetString("uid") is { } owner)
            {
                if (_pods.OwnerKey(owner) is { } ownerKey) keys.Add(ownerKey);
            }
            else
            {
                // An orphan: every ReplicaSet whose selector matches may adopt it.
                foreach (var (rsKey, rs) in _replicaSets)
                {
                    if (rs.Namespace() == version.Namespace() && LabelSelector.FromLabelSelector(rs["spec"]?["selector"] as JsonObject).Matches(version)) keys.Add(rsKey);
                }
            }
        }
        // Seen going: a deletion timestamp or DELETED, whichever comes first (per pod, so once).
        if (_pods.OwnerKey(PodHelpers.ControllerRef(obj).GetString("uid")) is { } k) _expectations.Observed(k, key, e.Type, obj.IsDeleting());
        return keys;
    }

    /// <summary>The pods a ReplicaSet's sync needs: those it controls and the orphans of its namespace.</summary>
    private List<JsonObject> Candidates(JsonObject rs) =>
        [.. _pods.DependentsOf(rs.Uid()).Values, .. _pods.OrphansIn(rs.Namespace()).Values];

    protected override void OnSyncFailed(string key, Exception error) => _expectations.Forget(key);

    protected override Task Sync(string key)
    {
        if (!_replicaSets.TryGetValue(key, out var rs)) return Task.CompletedTask;
        var now = Time.GetUtcNow();
        // Pods controlled by others are left out: the reconciler neither counts nor adopts them.
        var pods = Candidates(rs);
        var plan = ReplicaSetReconciler.Reconcile(rs, pods, now, _settings.BurstReplicas, _expectations.Satisfied(key, now));
        if (plan.ChangesPods) _expectations.Expect(key, plan.Create, plan.Delete.Select(name => $"{rs.Namespace()}/{name}"), now);
        if (plan.RecheckAfter is { } after) RetryAfter(key, after);
        var statusChanged = ReplicaSetReconciler.StatusChanged(rs, plan.Status);
        if (!plan.ChangesPods && plan.Adopt.Count == 0 && plan.Release.Count == 0 && !statusChanged) return Task.CompletedTask;
        var podsByName = pods.ToDictionary(x => x.Name(), StringComparer.Ordinal);
        return Apply(Store, rs, plan, statusChanged, podsByName, Time.GetUtcNow(), Stopping);
    }

    private static async Task Apply(IControllerStore store, JsonObject rs, ReplicaSetPlan plan, bool statusChanged, Dictionary<string, JsonObject> pods, DateTimeOffset now, CancellationToken ct)
    {
        var ns = rs.Namespace();
        foreach (var name in plan.Adopt)
        {
            var refs = new JsonArray(PodHelpers.OwnerReferences(pods[name]).Select(r => r.DeepClone()).Append(PodHelpers.NewControllerRef(rs)).ToArray());
            await IgnoreGone(store.Patch(PodKind.Instance, ns, name, PatchType.Merge, new JsonObject { ["metadata"] = new JsonObject { ["ownerReferences"] = refs } }, ct: ct));
        }
        foreach (var name in plan.Release)
        {
            var refs = new JsonArray(PodHelpers.OwnerReferences(pods[name]).Where(r => r.GetString("uid") != rs.Uid()).Select(r => r.DeepClone()).ToArray());
            await IgnoreGone(store.Patch(PodKind.Instance, ns, name, PatchType.Merge, new JsonObject { ["metadata"] = new JsonObject { ["ownerReferences"] = refs } }, ct: ct));
        }
        if (plan.Create > 0)
        {
            // Slow start (1, 2, 4, ...): a template the API refuses fails once, not N times.
            var remaining = plan.Create;
            var batch = 1;
            var created = 0;
            while (remaining > 0)
            {
                var n = Math.Min(batch, remaining);
                await Task.WhenAll(Enumerable.Range(0, n).Select(_ => store.Create(PodKind.Instance, ns, ReplicaSetReconciler.NewPod(rs), ct)));
                created += n;
                remaining -= n;
                batch *= 2;
            }
            await RecordEvent(store, rs, "Normal", "SuccessfulCreate", $"Created {created} pod(s)", Component, now, ct);
        }
        if (plan.Delete.Count > 0)
        {
            await Task.WhenAll(plan.Delete.Select(name => IgnoreGone(store.Delete(PodKind.Instance, ns, name, new DeleteRequest(), ct))));
            await RecordEvent(store, rs, "Normal", "SuccessfulDelete", $"Deleted pod(s): {string.Join(", ", plan.Delete)}", Component, now, ct);
        }
        if (statusChanged)
            await IgnoreGone(store.Patch(ReplicaSetKind.Instance, ns, rs.Name(), PatchType.Merge, new JsonObject { ["status"] = plan.Status.DeepClone() }, Subresource.Status, ct));
    }
}
