using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Controllers;

/// <summary>How the garbage collector sees one owner of an object.</summary>
public enum OwnerState
{
    /// <summary>No object with the reference's uid exists (deleted, or recreated under a new uid).</summary>
    Absent,

    /// <summary>The owner exists and is not waiting for its dependents to go.</summary>
    Solid,

    /// <summary>The owner is being deleted in the foreground: its dependents must go first.</summary>
    WaitingForDependents,
}

/// <summary>What the garbage collector does with a dependent (an object with owner references).</summary>
public abstract record DependentVerdict;

/// <summary>A solid owner remains and no reference needs dropping: leave the object alone.</summary>
public sealed record KeepDependent : DependentVerdict
{
    public static readonly KeepDependent Instance = new();
}

/// <summary>A solid owner remains: drop the references to owners that are gone or being deleted in the foreground.</summary>
public sealed record DropOwnerReferences(IReadOnlyList<string> OwnerUids) : DependentVerdict;

/// <summary>No solid owner remains: delete the object with this propagation policy.</summary>
public sealed record DeleteDependent(string PropagationPolicy) : DependentVerdict;

/// <summary>What the garbage collector does with an owner that is being deleted with a finalizer of its own.</summary>
public abstract record OwnerVerdict;

/// <summary>Nothing for the garbage collector to do with this owner.</summary>
public sealed record NothingToDo : OwnerVerdict
{
    public static readonly NothingToDo Instance = new();
}

/// <summary>Orphan: remove the owner's reference from these dependents, then the orphan finalizer from the owner.</summary>
public sealed record OrphanDependents(IReadOnlyList<JsonObject> Dependents) : OwnerVerdict;

/// <summary>Foreground: these dependents must go (each decided by <see cref="GarbageCollectorRules.DecideDependent"/>).</summary>
public sealed record AwaitDependents(IReadOnlyList<JsonObject> Blocking) : OwnerVerdict;

/// <summary>Foreground, no blocking dependent left: remove the foregroundDeletion finalizer, and the owner goes.</summary>
public sealed record ReleaseOwner : OwnerVerdict
{
    public static readonly ReleaseOwner Instance = new();
}

/// <summary>
/// The pure rules of the garbage collector, after Kubernetes' (attemptToDeleteItem,
/// orphanDependents, processDeletingDependentsItem).
/// <code>
///   dependent: any solid owner ──► keep (dropping references to absent / waiting owners)
///              only waiting or absent owners ──► delete (foreground if it has dependents and an owner waits)
///   owner deleting with "orphan"             ──► drop its reference from every dependent ──► remove the finalizer
///   owner deleting with "foregroundDeletion" ──► dependents that block owner deletion left? delete them : remove the finalizer
/// </code>
/// </summary>
public static class GarbageCollectorRules
{
    /// <summary>
    /// The fate of <paramref name="obj"/> given the state of each of its owners and whether it has
    /// dependents of its own. An object already being deleted is kept (its own finalizers, if any,
    /// are handled as an owner).
    /// </summary>
    public static DependentVerdict DecideDependent(JsonObject obj, Func<JsonObject, OwnerState> owner, bool hasDependents)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(owner);
        var references = PodHelpers.OwnerReferences(obj);
        if (references.Count == 0 || obj.IsDeleting()) return KeepDependent.Instance;
        var states = references.Select(r => (Uid: r.GetString("uid") ?? "", State: owner(r))).ToList();
        if (states.Any(s => s.State == OwnerState.Solid))
        {
            var drop = states.Where(s => s.State != OwnerState.Solid).Select(s => s.Uid).ToList();
            return drop.Count == 0 ? KeepDependent.Instance : new DropOwnerReferences(drop);
        }
        if (hasDependents && states.Any(s => s.State == OwnerState.WaitingForDependents))
            return new DeleteDependent(DeletionPropagation.Foreground);
        return new DeleteDependent(DeletionPropagation.PolicyOf(obj.Finalizers()));
    }

    /// <summary>
    /// What to do for <paramref name="owner"/>, being deleted, given its <paramref name="dependents"/>
    /// (objects with a reference to its uid). Orphaning comes first when both finalizers are present.
    /// </summary>
    public static OwnerVerdict DecideOwner(JsonObject owner, IReadOnlyList<JsonObject> dependents)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(dependents);
        if (!owner.IsDeleting()) return NothingToDo.Instance;
        var uid = owner.Uid();
        var mine = dependents.Where(d => ReferenceTo(d, uid) is not null).ToList();
        var finalizers = owner.Finalizers();
        if (finalizers.Contains(DeletionPropagation.OrphanFinalizer)) return new OrphanDependents(mine);
        if (!finalizers.Contains(DeletionPropagation.ForegroundFinalizer)) return NothingToDo.Instance;
        var blocking = mine.Where(d => ReferenceTo(d, uid) is { } r && r["blockOwnerDeletion"] is JsonValue v && v.TryGetValue<bool>(out var b) && b).ToList();
        return blocking.Count == 0 ? ReleaseOwner.Instance : new AwaitDependents(blocking);
    }

    /// <summary>The state of an owner the garbage collector has observed (null: not observed).</summary>
    public static OwnerState StateOf(JsonObject? owner) =>
        owner is null ? OwnerState.Absent
        : owner.IsDeleting() && owner.Finalizers().Contains(DeletionPropagation.ForegroundFinalizer) ? OwnerState.WaitingForDependents
        : OwnerState.Solid;

    /// <summary>True when the object is an owner being deleted with a finalizer the garbage collector removes.</summary>
    public static bool HasCollectorFinalizer(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return obj.IsDeleting() && obj.Finalizers().Any(f => f is DeletionPropagation.OrphanFinalizer or DeletionPropagation.ForegroundFinalizer);
    }

    /// <summary>The owner references of <paramref name="obj"/> without those to <paramref name="uids"/>.</summary>
    public static JsonArray ReferencesWithout(JsonObject obj, IEnumerable<string> uids)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var drop = uids.ToHashSet(StringComparer.Ordinal);
        return new JsonArray(PodHelpers.OwnerReferences(obj).Where(r => !drop.Contains(r.GetString("uid") ?? "")).Select(r => r.DeepClone()).ToArray());
    }

    /// <summary>The finalizers of <paramref name="obj"/> without <paramref name="finalizer"/>.</summary>
    public static JsonArray FinalizersWithout(JsonObject obj, string finalizer)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new JsonArray(obj.Finalizers().Where(f => f != finalizer).Select(f => (JsonNode)f).ToArray());
    }

    private static JsonObject? ReferenceTo(JsonObject dependent, string? uid) =>
        uid is null ? null : PodHelpers.OwnerReferences(dependent).FirstOrDefault(r => r.GetString("uid") == uid);
}
