using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Kubernetes' garbage collector for the kinds in <see cref="DeletionPropagation.CollectedKinds"/>:
/// deletes objects whose owners are all gone (background propagation: deleting a Deployment deletes
/// its ReplicaSets, whose deletion deletes their pods), orphans the dependents of an owner deleted
/// with the <c>orphan</c> finalizer, and deletes the dependents of an owner deleted with the
/// <c>foregroundDeletion</c> finalizer before releasing it. The decisions are the pure
/// <see cref="GarbageCollectorRules"/> rules. An owner missing from the cache is looked up in the store
/// before anything is deleted or unlinked, so a watch that is behind never causes a wrong write.
/// </summary>
public sealed class GarbageCollector : ControllerActor
{
    public const string Component = "garbage-collector";

    // Every object, each registered as an owner (by uid) and as a dependent of every owner it references.
    private readonly OwnerIndex _objects = new(OwnerLinks.All);

    public GarbageCollector(IControllerStore store)
        : base(store, DeletionPropagation.CollectedKinds.Select(ObjectFilter.All).ToList())
    {
    }

    public static Props Props(IControllerStore store) => Akka.Actor.Props.Create(() => new GarbageCollector(store));

    protected override TimeSpan? ResyncInterval => TimeSpan.FromMinutes(1);

    protected override IEnumerable<string> AllKeys() =>
        _objects.Objects.Where(o => PodHelpers.OwnerReferences(o.Value).Count > 0 || GarbageCollectorRules.HasCollectorFinalizer(o.Value)).Select(o => o.Key).ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        var key = $"{kind}|{obj.Namespace()}|{obj.Name()}";
        var uid = obj.Uid();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (e.Type == WatchEventType.Deleted)
        {
            if (_objects.Forget(key) is { } gone)
                foreach (var o in _objects.OwnerUids(gone)) AddIfCollecting(o, keys);
            if (uid is null) return keys;
            _objects.RemoveOwner(obj);
            // Its dependents decide again: their owner is gone.
            keys.UnionWith(_objects.DependentsOf(uid).Keys);
            return keys;
        }
        if (_objects.Observe(key, obj) is { } previous)
            foreach (var o in _objects.OwnerUids(previous)) AddIfCollecting(o, keys);
        _objects.AddOwner(key, obj);
        foreach (var o in _objects.OwnerUids(obj)) AddIfCollecting(o, keys);
        if (PodHelpers.OwnerReferences(obj).Any(r => StateOf(r) != OwnerState.Solid)) keys.Add(key);
        if (GarbageCollectorRules.HasCollectorFinalizer(obj))
        {
            keys.Add(key);
            // An owner deleted in the foreground: every dependent decides again (now that its owner waits).
            if (uid is not null) keys.UnionWith(_objects.DependentsOf(uid).Keys);
        }
        return keys;
    }

    /// <summary>A change of a dependent concerns its owner when that owner waits on its dependents or orphans them.</summary>
    private void AddIfCollecting(string ownerUid, HashSet<string> keys)
    {
        if (_objects.OwnerKey(ownerUid) is { } ownerKey && _objects.Get(ownerKey) is { } owner && GarbageCollectorRules.HasCollectorFinalizer(owner)) keys.Add(ownerKey);
    }

    private OwnerState StateOf(JsonObject reference)
    {
        if (reference.GetString("kind") is not { } kind || !DeletionPropagation.CollectedKinds.Contains(kind)) return OwnerState.Solid; // not ours to judge
        return _objects.OwnerKey(reference.GetString("uid")) is { } key && _objects.Get(key) is { } owner
            ? GarbageCollectorRules.StateOf(owner)
            : OwnerState.Absent;
    }

    protected override Task Sync(string key)
    {
        if (_objects.Get(key) is not { } obj) return Task.CompletedTask;
        var kind = ResourceKinds.ByKind(key.Split('|')[0])!;
        var dependentsByKey = _objects.DependentsOf(obj.Uid());
        if (GarbageCollectorRules.HasCollectorFinalizer(obj))
        {
            var dependents = dependentsByKey.Values.ToList();
            switch (GarbageCollectorRules.DecideOwner(obj, dependents))
            {
                case OrphanDependents orphan:
                    return Orphan(Store, kind, obj, orphan.Dependents, Stopping);
                case AwaitDependents wait:
                    // Each blocking dependent is deleted by the dependent rule (its owner now waits);
                    // their deletions bring this owner back here.
                    foreach (var d in wait.Blocking.Where(d => !d.IsDeleting())) Enqueue($"{d.GetString("kind")}|{d.Namespace()}|{d.Name()}");
                    return Task.CompletedTask;
                case ReleaseOwner:
                    return RemoveFinalizer(Store, kind, obj, DeletionPropagation.ForegroundFinalizer, Stopping);
            }
            return Task.CompletedTask;
        }
        var references = PodHelpers.OwnerReferences(obj);
        var verdict = GarbageCollectorRules.DecideDependent(obj, StateOf, dependentsByKey.Count > 0);
        // Owners the cache does not know may only be new: they are asked for in the store first.
        var unverified = references.Where(r => StateOf(r) == OwnerState.Absent).ToList();
        return verdict switch
        {
            DropOwnerReferences drop => Unlink(Store, kind, obj, drop.OwnerUids, unverified, Stopping),
            DeleteDependent delete => Collect(Store, kind, obj, delete.PropagationPolicy, unverified, Stopping),
            _ => Task.CompletedTask,
        };
    }

    /// <summary>True when one of <paramref name="owners"/> exists in the store after all (the cache is behind).</summary>
    private static async Task<bool> AnyExists(IControllerStore store, string ns, IEnumerable<JsonObject> owners, CancellationToken ct)
    {
        foreach (var owner in owners)
        {
            var ownerKind = owner.GetString("kind") is { } k ? ResourceKinds.ByKind(k) : null;
            if (ownerKind is null) return true;
            try
            {
                var current = await store.Get(ownerKind, ownerKind.Namespaced ? ns : "", owner.GetString("name") ?? "", ct);
                if (current.Uid() == owner.GetString("uid")) return true;
            }
            catch (ApiErrorException e) when (e.Error.Code == 404)
            {
            }
        }
        return false;
    }

    private static async Task Collect(IControllerStore store, ResourceKind kind, JsonObject obj, string policy, IReadOnlyList<JsonObject> unverified, CancellationToken ct)
    {
        if (await AnyExists(store, obj.Namespace(), unverified, ct)) return;
        try
        {
            // Only the version this decision saw: the cache may be behind a change that keeps the
            // object (an orphaning owner removing its reference just before it went away).
            await store.Delete(kind, obj.Namespace(), obj.Name(),
                new DeleteRequest(PreconditionUid: obj.Uid(), PreconditionResourceVersion: obj.ResourceVersion(), PropagationPolicy: policy), ct);
        }
        catch (ApiErrorException e) when (e.Error.Code is 404 or 409)
        {
            // Gone, or changed since: that change brings the object back here, decided afresh.
        }
    }

    private static async Task Unlink(IControllerStore store, ResourceKind kind, JsonObject obj, IReadOnlyList<string> ownerUids, IReadOnlyList<JsonObject> unverified, CancellationToken ct)
    {
        var existing = new List<string>();
        foreach (var owner in unverified)
            if (await AnyExists(store, obj.Namespace(), [owner], ct)) existing.Add(owner.GetString("uid") ?? "");
        var drop = ownerUids.Except(existing, StringComparer.Ordinal).ToList();
        if (drop.Count == 0) return;
        await DropReferences(store, kind, obj, drop, ct);
    }

    private static async Task Orphan(IControllerStore store, ResourceKind kind, JsonObject owner, IReadOnlyList<JsonObject> dependents, CancellationToken ct)
    {
        var uid = owner.Uid() ?? "";
        foreach (var dependent in dependents)
        {
            var dependentKind = ResourceKinds.ByKind(dependent.GetString("kind") ?? "");
            if (dependentKind is not null) await DropReferences(store, dependentKind, dependent, [uid], ct);
        }
        await RemoveFinalizer(store, kind, owner, DeletionPropagation.OrphanFinalizer, ct);
    }

    /// <summary>Removes references from a dependent, on the version observed (a conflict is retried with a fresh one).</summary>
    private static Task DropReferences(IControllerStore store, ResourceKind kind, JsonObject obj, IReadOnlyList<string> ownerUids, CancellationToken ct) =>
        IgnoreGone(store.Patch(kind, obj.Namespace(), obj.Name(), PatchType.Merge, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["ownerReferences"] = GarbageCollectorRules.ReferencesWithout(obj, ownerUids),
                ["resourceVersion"] = obj.ResourceVersion(),
            },
        }, ct: ct));

    private static Task RemoveFinalizer(IControllerStore store, ResourceKind kind, JsonObject owner, string finalizer, CancellationToken ct) =>
        IgnoreGone(store.Patch(kind, owner.Namespace(), owner.Name(), PatchType.Merge, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["finalizers"] = GarbageCollectorRules.FinalizersWithout(owner, finalizer),
                ["resourceVersion"] = owner.ResourceVersion(),
            },
        }, ct: ct));
}
