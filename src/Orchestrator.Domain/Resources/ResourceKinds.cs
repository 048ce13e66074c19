using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.CronJobs;
using Orchestrator.Domain.DaemonSets;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Endpoints;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Secrets;
using Orchestrator.Domain.ServiceAllocations;
using Orchestrator.Domain.Services;
using Orchestrator.Domain.StatefulSets;

namespace Orchestrator.Domain.Resources;

/// <summary>The kinds this orchestrator serves, and lookups by kind, plural and short name.</summary>
public static class ResourceKinds
{
    public static IReadOnlyList<ResourceKind> All { get; } =
    [
        NamespaceKind.Instance, NodeKind.Instance, PodKind.Instance, ServiceKind.Instance, ConfigMapKind.Instance,
        SecretKind.Instance, EventKind.Instance, ReplicaSetKind.Instance, DeploymentKind.Instance, EndpointsKind.Instance,
        EndpointSliceKind.Instance, ServiceAllocationKind.Instance, DaemonSetKind.Instance, StatefulSetKind.Instance,
        JobKind.Instance, CronJobKind.Instance,
    ];

    /// <summary>The kinds clients see: <see cref="All"/> without the internal ones.</summary>
    public static IReadOnlyList<ResourceKind> Served { get; } = All.Where(k => k.Served).ToList();

    private static readonly Dictionary<string, ResourceKind> ByKindName = All.ToDictionary(k => k.Kind, StringComparer.Ordinal);

    public static ResourceKind? ByKind(string kind) => ByKindName.GetValueOrDefault(kind);

    /// <summary>The kind served at <c>/{group-path}/{plural}</c>; group is "" for the core API.</summary>
    public static ResourceKind? ByPlural(string group, string plural) =>
        Served.FirstOrDefault(k => k.Group == group && k.Plural == plural);

    /// <summary>Kind by plural, singular, kind name or short name, case-insensitive (as the CLIs accept).</summary>
    public static ResourceKind? Resolve(string name) =>
        Served.FirstOrDefault(k =>
            string.Equals(k.Plural, name, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(k.Singular, name, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(k.Kind, name, StringComparison.OrdinalIgnoreCase) ||
            k.ShortNames.Contains(name, StringComparer.OrdinalIgnoreCase));
}
