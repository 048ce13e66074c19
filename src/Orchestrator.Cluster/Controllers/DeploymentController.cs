using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Rolls Deployments out through ReplicaSets: watches Deployments and ReplicaSets, enqueues the
/// Deployment a change concerns, and per key applies the plan of the pure
/// <see cref="DeploymentReconciler"/> (create the new ReplicaSet, scale new and old, delete history
/// beyond the limit, annotate the revision) and writes the status kubectl rollout status reads.
/// </summary>
public sealed class DeploymentController : ControllerActor
{
    public const string Component = "deployment-controller";

    private readonly Dictionary<string, JsonObject> _deployments = new(StringComparer.Ordinal);
    // ReplicaSets by the uid of the Deployment that controls them.
    private readonly OwnerIndex _replicaSets = new(OwnerLinks.Controller);

    public DeploymentController(IControllerStore store, TimeProvider time)
        : base(store, [ObjectFilter.All(DeploymentKind.Instance.Kind), ObjectFilter.All(ReplicaSetKind.Instance.Kind)], time)
    {
    }

    public static Props Props(IControllerStore store, TimeProvider time) => Akka.Actor.Props.Create(() => new DeploymentController(store, time));

    protected override IEnumerable<string> AllKeys() => _deployments.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        var key = KeyOf(obj);
        if (kind == DeploymentKind.Instance.Kind)
        {
            UpdateCache(_deployments, key, e);
            if (e.Type == WatchEventType.Deleted) _replicaSets.RemoveOwner(obj);
            else _replicaSets.AddOwner(key, obj);
            return [key];
        }
        if (e.Type == WatchEventType.Deleted) _replicaSets.Forget(key);
        else _replicaSets.Observe(key, obj);
        return _replicaSets.OwnerKeysOf(obj).ToList();
    }

    protected override Task Sync(string key)
    {
        if (!_deployments.TryGetValue(key, out var deployment) || deployment.IsDeleting()) return Task.CompletedTask;
        var owned = _replicaSets.DependentsOf(deployment.Uid()).Values.Where(rs => rs.Namespace() == deployment.Namespace()).ToList();
        var now = Time.GetUtcNow();
        var plan = DeploymentReconciler.Reconcile(deployment, owned, now);
        if (plan.RecheckAfter is { } after) RetryAfter(key, after);
        var statusChanged = DeploymentReconciler.StatusChanged(deployment, plan.Status);
        if (plan.Actions.Count == 0 && !statusChanged) return Task.CompletedTask;
        return Apply(Store, deployment, plan, statusChanged, now, Stopping);
    }

    private static async Task Apply(IControllerStore store, JsonObject deployment, DeploymentPlan plan, bool statusChanged, DateTimeOffset now, CancellationToken ct)
    {
        var ns = deployment.Namespace();
        foreach (var action in plan.Actions)
        {
            switch (action)
            {
                case CreateReplicaSet c:
                    try
                    {
                        await store.Create(ReplicaSetKind.Instance, ns, c.ReplicaSet, ct);
                        await RecordEvent(store, deployment, "Normal", "ScalingReplicaSet",
                            $"Scaled up replica set {c.ReplicaSet.Name()} to {c.ReplicaSet["spec"]?["replicas"]}", Component, now, ct);
                    }
                    catch (ApiErrorException e) when (e.Error.Code == 409)
                    {
                        // Created by an earlier sync whose event has not arrived yet.
                    }
                    break;
                case ScaleReplicaSet s:
                    var annotations = new JsonObject();
                    foreach (var (k, v) in s.Annotations) annotations[k] = v;
                    await IgnoreGone(store.Patch(ReplicaSetKind.Instance, ns, s.Name, PatchType.Merge,
                        new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = annotations }, ["spec"] = new JsonObject { ["replicas"] = s.Replicas } }, ct: ct));
                    break;
                case DeleteReplicaSet d:
                    await IgnoreGone(store.Delete(ReplicaSetKind.Instance, ns, d.Name, new DeleteRequest(PropagationPolicy: "Background"), ct));
                    break;
                case AnnotateDeployment a:
                    await IgnoreGone(store.Patch(DeploymentKind.Instance, ns, deployment.Name(), PatchType.Merge,
                        new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [DeploymentReconciler.RevisionAnnotation] = a.Revision } } }, ct: ct));
                    break;
            }
        }
        if (statusChanged)
            await IgnoreGone(store.Patch(DeploymentKind.Instance, ns, deployment.Name(), PatchType.Merge,
                new JsonObject { ["status"] = plan.Status.DeepClone() }, Subresource.Status, ct));
    }
}
