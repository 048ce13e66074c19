namespace Orchestrator.Domain.Resources;

/// <summary>
/// DeleteOptions.propagationPolicy as Kubernetes' API server turns it into finalizers on the owner:
/// <c>Orphan</c> puts the <see cref="OrphanFinalizer"/> on it (the garbage collector strips the
/// owner's references from its dependents, then removes the finalizer), <c>Foreground</c> the
/// <see cref="ForegroundFinalizer"/> (the owner stays, deleting, until the garbage collector has
/// deleted every dependent that blocks owner deletion), <c>Background</c> neither (the owner goes at
/// once, the garbage collector deletes the dependents afterwards). No policy keeps what the object
/// has (background for the kinds served here, as for apps/v1 in Kubernetes).
/// </summary>
public static class DeletionPropagation
{
    public const string Orphan = "Orphan";
    public const string Background = "Background";
    public const string Foreground = "Foreground";

    public const string OrphanFinalizer = "orphan";
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>
    /// The kinds whose objects the garbage collector follows, as owners and as dependents. Only they
    /// take the orphan and foreground finalizers: on any other kind no one would ever remove them.
    /// Every namespaced kind a workload owns in practice (operators and charts make ConfigMaps,
    /// Secrets and Services owned by a Deployment) is here; Events are not (they are many, short-lived
    /// and expire on their own), nor are the cluster-scoped Nodes and Namespaces.
    /// </summary>
    public static readonly IReadOnlySet<string> CollectedKinds = new HashSet<string>(
        ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Pod", "Service", "ConfigMap", "Secret", "Job", "CronJob"], StringComparer.Ordinal);

    /// <summary>The object's finalizers after a delete with <paramref name="policy"/>.</summary>
    public static IReadOnlyList<string> Finalizers(ResourceKind kind, IReadOnlyList<string> current, string? policy)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(current);
        if (policy is null || !CollectedKinds.Contains(kind.Kind)) return current;
        var rest = current.Where(f => f is not (OrphanFinalizer or ForegroundFinalizer));
        return policy switch
        {
            Orphan => [.. rest, OrphanFinalizer],
            Foreground => [.. rest, ForegroundFinalizer],
            _ => [.. rest],
        };
    }

    /// <summary>The policy the garbage collector deletes a dependent with, from the finalizers it already has.</summary>
    public static string PolicyOf(IReadOnlyList<string> finalizers)
    {
        ArgumentNullException.ThrowIfNull(finalizers);
        if (finalizers.Contains(OrphanFinalizer)) return Orphan;
        return finalizers.Contains(ForegroundFinalizer) ? Foreground : Background;
    }
}
