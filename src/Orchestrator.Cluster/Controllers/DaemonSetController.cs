using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.DaemonSets;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Scheduling;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Keeps one pod of every DaemonSet on each node that should run it: watches DaemonSets, their
/// pods and the nodes, enqueues the DaemonSets a change concerns (a node change that alters what it
/// offers concerns them all), and per key applies the plan of the pure <see cref="DaemonSetReconciler"/>
/// (create pinned pods, delete, status). Expectations keep it from acting twice on one observation.
/// </summary>
public sealed class DaemonSetController : ControllerActor
{
    public const string Component = "daemonset-controller";

    private readonly Expectations _expectations;
    private readonly Dictionary<string, JsonObject> _daemonSets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _nodes = new(StringComparer.Ordinal);
    private readonly OwnerIndex _pods = new(OwnerLinks.Controller);

    public DaemonSetController(IControllerStore store, ControllerSettings settings, TimeProvider time)
        : base(store, [ObjectFilter.All(DaemonSetKind.Instance.Kind), ObjectFilter.All(NodeKind.Instance.Kind), ObjectFilter.All(PodKind.Instance.Kind)], time)
    {
        _expectations = new Expectations(settings.ExpectationsTimeout);
    }

    public static Props Props(IControllerStore store, ControllerSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new DaemonSetController(store, settings, time));

    protected override IEnumerable<string> AllKeys() => _daemonSets.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        if (kind == NodeKind.Instance.Kind)
        {
            var previous = UpdateCache(_nodes, obj.Name(), e);
            // Heartbeats change nothing a daemon pod's placement depends on: no sync.
            if (e.Type == WatchEventType.Modified && previous is not null && NodeState.FromNode(previous).OffersSameAs(NodeState.FromNode(obj))) return [];
            return AllKeys();
        }
        var key = KeyOf(obj);
        if (kind == DaemonSetKind.Instance.Kind)
        {
            if (ObserveOwner(_daemonSets, _pods, key, e)) _expectations.Forget(key);
            return [key];
        }
        var before = e.Type == WatchEventType.Deleted ? _pods.Forget(key) : _pods.Observe(key, obj);
        var owner = _pods.OwnerKey(PodHelpers.ControllerRef(obj).GetString("uid"));
        if (owner is null) return [];
        _expectations.Observed(owner, key, e.Type, obj.IsDeleting());
        return MayMatter(e, before, ReplicaSetReconciler.SameInputs) || PodHelpers.NodeName(before ?? obj) != PodHelpers.NodeName(obj) ? [owner] : [];
    }

    protected override void OnSyncFailed(string key, Exception error) => _expectations.Forget(key);

    protected override Task Sync(string key)
    {
        if (!_daemonSets.TryGetValue(key, out var ds)) return Task.CompletedTask;
        var now = Time.GetUtcNow();
        var pods = _pods.DependentsOf(ds.Uid()).Values.ToList();
        var plan = DaemonSetReconciler.Reconcile(ds, _nodes.Values, pods, now, _expectations.Satisfied(key, now));
        if (plan.ChangesPods) _expectations.Expect(key, plan.CreateOn.Count, plan.Delete.Select(name => $"{ds.Namespace()}/{name}"), now);
        if (plan.RecheckAfter is { } after) RetryAfter(key, after);
        var statusChanged = ReplicaSetReconciler.StatusChanged(ds, plan.Status);
        if (!plan.ChangesPods && !statusChanged) return Task.CompletedTask;
        return Apply(Store, ds, plan, statusChanged, now, Stopping);
    }

    private static async Task Apply(IControllerStore store, JsonObject ds, DaemonSetPlan plan, bool statusChanged, DateTimeOffset now, CancellationToken ct)
    {
        var ns = ds.Namespace();
        if (plan.Delete.Count > 0)
        {
            await Task.WhenAll(plan.Delete.Select(name => IgnoreGone(store.Delete(PodKind.Instance, ns, name, new DeleteRequest(), ct))));
            await RecordEvent(store, ds, "Normal", "SuccessfulDelete", $"Deleted pod(s): {string.Join(", ", plan.Delete)}", Component, now, ct);
        }
        if (plan.CreateOn.Count > 0)
        {
            var hash = DaemonSetReconciler.CurrentHash(ds);
            foreach (var node in plan.CreateOn)
            {
                var pod = await store.Create(PodKind.Instance, ns, DaemonSetReconciler.NewPod(ds, node, hash), ct);
                await RecordEvent(store, ds, "Normal", "SuccessfulCreate", $"Created pod: {pod.Name()}", Component, now, ct);
            }
        }
        if (statusChanged)
            await IgnoreGone(store.Patch(DaemonSetKind.Instance, ns, ds.Name(), PatchType.Merge, new JsonObject { ["status"] = plan.Status.DeepClone() }, Subresource.Status, ct));
    }
}
