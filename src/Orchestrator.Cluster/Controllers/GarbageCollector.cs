using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Deletes objects whose owners are all gone (background propagation): deleting a Deployment
/// deletes its ReplicaSets, whose deletion deletes their pods. An owner missing from the cache is
/// looked up in the store before anything is deleted, so a watch that is behind never causes a
/// wrong deletion.
/// </summary>
public sealed class GarbageCollector : ControllerActor
{
    public const string Component = "garbage-collector";

    private static readonly ResourceKind[] Kinds = [DeploymentKind.Instance, ReplicaSetKind.Instance, PodKind.Instance];

    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly HashSet<string> _uids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _dependents = new(StringComparer.Ordinal);

    public GarbageCollector(IControllerStore store)
        : base(store, Kinds.Select(k => ObjectFilter.All(k.Kind)).ToList())
    {
    }

    public static Props Props(IControllerStore store) => Akka.Actor.Props.Create(() => new GarbageCollector(store));

    protected override TimeSpan? ResyncInterval => TimeSpan.FromMinutes(1);

    protected override IEnumerable<string> AllKeys() => _objects.Where(o => PodHelpers.OwnerReferences(o.Value).Count > 0).Select(o => o.Key).ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        var key = $"{kind}|{obj.Namespace()}|{obj.Name()}";
        var uid = obj.Uid();
        if (_objects.TryGetValue(key, out var previous))
            foreach (var r in PodHelpers.OwnerReferences(previous))
                if (r.GetString("uid") is { } o && _dependents.TryGetValue(o, out var set)) set.Remove(key);
        if (e.Type == "DELETED")
        {
            _objects.Remove(key);
            if (uid is null) return [];
            _uids.Remove(uid);
            return _dependents.Remove(uid, out var orphans) ? orphans : [];
        }
        _objects[key] = obj;
        if (uid is not null) _uids.Add(uid);
        var owners = PodHelpers.OwnerReferences(obj);
        foreach (var r in owners)
        {
            if (r.GetString("uid") is not { } o) continue;
            if (!_dependents.TryGetValue(o, out var set)) _dependents[o] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(key);
        }
        return owners.Any(r => r.GetString("uid") is { } o && !_uids.Contains(o)) ? [key] : [];
    }

    protected override Task Sync(string key)
    {
        if (!_objects.TryGetValue(key, out var obj)) return Task.CompletedTask;
        if (OwnerRules.Decide(obj, r => r.GetString("uid") is { } u && _uids.Contains(u)) == OwnerVerdict.Keep) return Task.CompletedTask;
        var kind = ResourceKinds.ByKind(key.Split('|')[0])!;
        return Collect(Store, kind, obj, Stopping);
    }

    private static async Task Collect(IControllerStore store, ResourceKind kind, JsonObject obj, CancellationToken ct)
    {
        // The cache may be behind: ask the store about every owner before deleting.
        foreach (var owner in PodHelpers.OwnerReferences(obj))
        {
            var ownerKind = owner.GetString("kind") is { } k ? ResourceKinds.ByKind(k) : null;
            if (ownerKind is null) return; // an owner of a kind we do not serve: leave the object alone
            try
            {
                var current = await store.Get(ownerKind, obj.Namespace(), owner.GetString("name") ?? "", ct);
                if (current.Uid() == owner.GetString("uid")) return;
            }
            catch (ApiErrorException e) when (e.Error.Code == 404)
            {
            }
        }
        await ReplicaSetController.IgnoreGone(store.Delete(kind, obj.Namespace(), obj.Name(),
            new DeleteRequest(PreconditionUid: obj.Uid(), PropagationPolicy: "Background"), ct));
    }
}
