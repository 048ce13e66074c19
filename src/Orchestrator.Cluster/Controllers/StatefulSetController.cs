using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.StatefulSets;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Keeps the pods NAME-0..N-1 of every StatefulSet: watches StatefulSets and their pods, and per key
/// applies the plan of the pure <see cref="StatefulSetReconciler"/> (create ordinals, delete
/// condemned, failed or outdated pods, status). Expectations keep it from acting twice on one observation.
/// </summary>
public sealed class StatefulSetController : ControllerActor
{
    public const string Component = "statefulset-controller";

    private readonly Expectations _expectations;
    private readonly Dictionary<string, JsonObject> _statefulSets = new(StringComparer.Ordinal);
    private readonly OwnerIndex _pods = new(OwnerLinks.Controller);

    public StatefulSetController(IControllerStore store, ControllerSettings settings, TimeProvider time)
        : base(store, [ObjectFilter.All(StatefulSetKind.Instance.Kind), ObjectFilter.All(PodKind.Instance.Kind)], time)
    {
        _expectations = new Expectations(settings.ExpectationsTimeout);
    }

    public static Props Props(IControllerStore store, ControllerSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new StatefulSetController(store, settings, time));

    protected override IEnumerable<string> AllKeys() => _statefulSets.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        var key = KeyOf(obj);
        if (kind == StatefulSetKind.Instance.Kind)
        {
            if (ObserveOwner(_statefulSets, _pods, key, e)) _expectations.Forget(key);
            return [key];
        }
        var before = e.Type == WatchEventType.Deleted ? _pods.Forget(key) : _pods.Observe(key, obj);
        var owner = _pods.OwnerKey(PodHelpers.ControllerRef(obj).GetString("uid"));
        if (owner is null) return [];
        _expectations.Observed(owner, key, e.Type, obj.IsDeleting());
        return MayMatter(e, before, ReplicaSetReconciler.SameInputs) ? [owner] : [];
    }

    protected override void OnSyncFailed(string key, Exception error) => _expectations.Forget(key);

    protected override Task Sync(string key)
    {
        if (!_statefulSets.TryGetValue(key, out var sts)) return Task.CompletedTask;
        var now = Time.GetUtcNow();
        var plan = StatefulSetReconciler.Reconcile(sts, _pods.DependentsOf(sts.Uid()).Values.ToList(), now, _expectations.Satisfied(key, now));
        if (plan.ChangesPods) _expectations.Expect(key, plan.Create.Count, plan.Delete.Select(name => $"{sts.Namespace()}/{name}"), now);
        var statusChanged = ReplicaSetReconciler.StatusChanged(sts, plan.Status);
        if (!plan.ChangesPods && !statusChanged) return Task.CompletedTask;
        return Apply(Store, sts, plan, statusChanged, now, Stopping);
    }

    private static async Task Apply(IControllerStore store, JsonObject sts, StatefulSetPlan plan, bool statusChanged, DateTimeOffset now, CancellationToken ct)
    {
        var ns = sts.Namespace();
        foreach (var name in plan.Delete)
        {
            await IgnoreGone(store.Delete(PodKind.Instance, ns, name, new DeleteRequest(), ct));
            await RecordEvent(store, sts, "Normal", "SuccessfulDelete", $"delete Pod {name} in StatefulSet {sts.Name()} successful", Component, now, ct);
        }
        foreach (var ordinal in plan.Create)
        {
            var pod = await store.Create(PodKind.Instance, ns, StatefulSetReconciler.NewPod(sts, ordinal), ct);
            await RecordEvent(store, sts, "Normal", "SuccessfulCreate", $"create Pod {pod.Name()} in StatefulSet {sts.Name()} successful", Component, now, ct);
        }
        if (statusChanged)
            await IgnoreGone(store.Patch(StatefulSetKind.Instance, ns, sts.Name(), PatchType.Merge, new JsonObject { ["status"] = plan.Status.DeepClone() }, Subresource.Status, ct));
    }
}
