using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Controllers;

/// <summary>Which owner references an <see cref="OwnerIndex"/> follows.</summary>
public enum OwnerLinks
{
    /// <summary>Only the controller reference (<c>controller: true</c>): the ReplicaSet of a pod, the Deployment of a ReplicaSet.</summary>
    Controller,

    /// <summary>Every owner reference (the garbage collector's view).</summary>
    All,
}

/// <summary>
/// A controller's cache of dependents indexed by the uid of their owners, and of owners by uid
/// (Kubernetes' controllers keep the same indexes): a sync reads the dependents of one owner, and
/// an event of a dependent finds its owners, without walking every object of the namespace. The
/// owners may be other objects than the dependents (ReplicaSets and their pods) or the same ones
/// (the garbage collector registers every object as both).
/// </summary>
/// <remarks>
/// With <c>indexOrphans</c>, dependents without an owner (as <see cref="OwnerLinks"/> reads them)
/// are kept by namespace too, for controllers that adopt orphans.
/// </remarks>
public sealed class OwnerIndex(OwnerLinks links, bool indexOrphans = false)
{
    private static readonly IReadOnlyDictionary<string, JsonObject> None = new Dictionary<string, JsonObject>();

    private readonly Dictionary<string, string> _ownerKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _orphans = new(StringComparer.Ordinal);

    /// <summary>Every dependent, by key.</summary>
    public IReadOnlyDictionary<string, JsonObject> Objects => _objects;

    /// <summary>Registers an owner under its uid (an owner without a uid cannot be referenced, and is not).</summary>
    public void AddOwner(string key, JsonObject owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (owner.Uid() is { } uid) _ownerKeys[uid] = key;
    }

    /// <summary>Forgets an owner that was deleted.</summary>
    public void RemoveOwner(JsonObject owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (owner.Uid() is { } uid) _ownerKeys.Remove(uid);
    }

    /// <summary>The key of the registered owner with this uid, or null.</summary>
    public string? OwnerKey(string? uid) => uid is not null && _ownerKeys.TryGetValue(uid, out var key) ? key : null;

    /// <summary>The uids of the owners of <paramref name="obj"/> this index follows.</summary>
    public IEnumerable<string> OwnerUids(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (links == OwnerLinks.Controller)
        {
            if (PodHelpers.ControllerRef(obj).GetString("uid") is { } controller) yield return controller;
            yield break;
        }
        foreach (var reference in PodHelpers.OwnerReferences(obj))
            if (reference.GetString("uid") is { } uid) yield return uid;
    }

    /// <summary>The keys of the registered owners <paramref name="dependent"/> references.</summary>
    public IEnumerable<string> OwnerKeysOf(JsonObject dependent) =>
        OwnerUids(dependent).Select(OwnerKey).OfType<string>();

    /// <summary>The current version of a dependent, or null.</summary>
    public JsonObject? Get(string key) => _objects.GetValueOrDefault(key);

    /// <summary>Puts (or replaces) a dependent; returns the version it replaced, or null.</summary>
    public JsonObject? Observe(string key, JsonObject dependent)
    {
        ArgumentNullException.ThrowIfNull(dependent);
        _objects.TryGetValue(key, out var previous);
        _objects[key] = dependent;
        var before = previous is null ? null : Buckets(previous).ToList();
        var after = Buckets(dependent).ToList();
        if (before is not null && before.SequenceEqual(after))
        {
            // The same owners: replace in place (keeps each bucket's order).
            foreach (var (index, bucket) in after) index[bucket][key] = dependent;
            return previous;
        }
        if (before is not null) Unlink(key, before);
        foreach (var (index, bucket) in after)
        {
            if (!index.TryGetValue(bucket, out var set)) index[bucket] = set = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
            set[key] = dependent;
        }
        return previous;
    }

    /// <summary>Removes a dependent that was deleted; returns the last version known, or null.</summary>
    public JsonObject? Forget(string key)
    {
        if (!_objects.Remove(key, out var previous)) return null;
        Unlink(key, Buckets(previous).ToList());
        return previous;
    }

    /// <summary>The dependents of the owner with this uid, by key.</summary>
    public IReadOnlyDictionary<string, JsonObject> DependentsOf(string? ownerUid) =>
        ownerUid is not null && _byOwner.TryGetValue(ownerUid, out var set) ? set : None;

    /// <summary>The dependents of a namespace without an owner (with <c>indexOrphans</c>), by key.</summary>
    public IReadOnlyDictionary<string, JsonObject> OrphansIn(string ns) => _orphans.TryGetValue(ns, out var set) ? set : None;

    /// <summary>The buckets an object belongs in: one per owner uid, or its namespace's orphans.</summary>
    private IEnumerable<(Dictionary<string, Dictionary<string, JsonObject>> Index, string Bucket)> Buckets(JsonObject obj)
    {
        var owned = false;
        foreach (var uid in OwnerUids(obj).Distinct(StringComparer.Ordinal))
        {
            owned = true;
            yield return (_byOwner, uid);
        }
        if (!owned && indexOrphans) yield return (_orphans, obj.Namespace());
    }

    private static void Unlink(string key, List<(Dictionary<string, Dictionary<string, JsonObject>> Index, string Bucket)> buckets)
    {
        foreach (var (index, bucket) in buckets)
        {
            if (!index.TryGetValue(bucket, out var set)) continue;
            set.Remove(key);
            if (set.Count == 0) index.Remove(bucket);
        }
    }
}
