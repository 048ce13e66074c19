namespace Orchestrator.Domain.Patching;

/// <summary>
/// How strategic merge patch treats one list field: merged element by element on
/// <see cref="MergeKey"/> (lists of objects), merged as a set (lists of primitives with
/// <see cref="MergePrimitives"/>), or, when a field has no entry, replaced as a whole.
/// </summary>
public sealed record ListStrategy(string? MergeKey, bool MergePrimitives = false)
{
    public static ListStrategy ByKey(string mergeKey) => new(mergeKey);

    public static ListStrategy PrimitiveUnion { get; } = new(null, MergePrimitives: true);
}

/// <summary>
/// The patch strategies of the built-in kinds (the <c>patchStrategy</c>/<c>patchMergeKey</c> tags
/// of k8s.io/api), keyed by the field path with list elements transparent: the ports of a
/// container of a Deployment are <c>spec/template/spec/containers/ports</c>.
/// Lists not listed here (envFrom, tolerations, args, ...) are replaced as a whole.
/// </summary>
public static class PatchStrategies
{
    private static readonly string[] TemplatedKinds =
        ["ReplicaSet", "Deployment", "DaemonSet", "StatefulSet", "Job", "ReplicationController"];

    private static readonly Dictionary<string, IReadOnlyDictionary<string, ListStrategy>> ByKind = BuildAll();

    private static readonly IReadOnlyDictionary<string, ListStrategy> Generic = Build("");

    /// <summary>The list strategies of a kind (unknown kinds get only the metadata and status ones).</summary>
    public static IReadOnlyDictionary<string, ListStrategy> For(string kind) =>
        ByKind.TryGetValue(kind, out var table) ? table : Generic;

    /// <summary>The strategy of the list at <paramref name="path"/> ('/'-separated), or null when it is replaced.</summary>
    public static ListStrategy? Lookup(string kind, string path) => For(kind).GetValueOrDefault(path);

    private static Dictionary<string, IReadOnlyDictionary<string, ListStrategy>> BuildAll()
    {
        var all = new Dictionary<string, IReadOnlyDictionary<string, ListStrategy>>(StringComparer.OrdinalIgnoreCase);
        foreach (var kind in new[] { "Pod", "Service", "ConfigMap", "Secret", "Node", "Namespace", "Event", "PodTemplate", "CronJob" }
                     .Concat(TemplatedKinds))
            all[kind] = Build(kind);
        return all;
    }

    private static Dictionary<string, ListStrategy> Build(string kind)
    {
        var table = new Dictionary<string, ListStrategy>(StringComparer.Ordinal);

        var metadataPaths = new List<string> { "metadata" };
        var podSpecPaths = new List<string>();
        switch (kind)
        {
            case "Pod":
                podSpecPaths.Add("spec");
                break;
            case "PodTemplate":
                metadataPaths.Add("template/metadata");
                podSpecPaths.Add("template/spec");
                break;
            case "CronJob":
                metadataPaths.Add("spec/jobTemplate/metadata");
                metadataPaths.Add("spec/jobTemplate/spec/template/metadata");
                podSpecPaths.Add("spec/jobTemplate/spec/template/spec");
                break;
            default:
                if (TemplatedKinds.Contains(kind, StringComparer.OrdinalIgnoreCase))
                {
                    metadataPaths.Add("spec/template/metadata");
                    podSpecPaths.Add("spec/template/spec");
                }
                break;
        }

        foreach (var metadata in metadataPaths)
        {
            table[$"{metadata}/ownerReferences"] = ListStrategy.ByKey("uid");
            table[$"{metadata}/finalizers"] = ListStrategy.PrimitiveUnion;
        }

        foreach (var spec in podSpecPaths)
        {
            foreach (var containers in new[] { "containers", "initContainers", "ephemeralContainers" })
            {
                var c = $"{spec}/{containers}";
                table[c] = ListStrategy.ByKey("name");
                table[$"{c}/ports"] = ListStrategy.ByKey("containerPort");
                table[$"{c}/env"] = ListStrategy.ByKey("name");
                table[$"{c}/volumeMounts"] = ListStrategy.ByKey("mountPath");
                table[$"{c}/volumeDevices"] = ListStrategy.ByKey("devicePath");
            }
            table[$"{spec}/volumes"] = ListStrategy.ByKey("name");
            table[$"{spec}/imagePullSecrets"] = ListStrategy.ByKey("name");
            table[$"{spec}/topologySpreadConstraints"] = ListStrategy.ByKey("topologyKey");
            table[$"{spec}/hostAliases"] = ListStrategy.ByKey("ip");
            table[$"{spec}/resourceClaims"] = ListStrategy.ByKey("name");
            table[$"{spec}/schedulingGates"] = ListStrategy.ByKey("name");
        }

        // Conditions of every kind that has them (Pod, ReplicaSet, Deployment, Node, Namespace, Service).
        table["status/conditions"] = ListStrategy.ByKey("type");

        switch (kind)
        {
            case "Pod":
                table["status/podIPs"] = ListStrategy.ByKey("ip");
                table["status/hostIPs"] = ListStrategy.ByKey("ip");
                break;
            case "Service":
                table["spec/ports"] = ListStrategy.ByKey("port");
                break;
            case "Node":
                table["spec/taints"] = ListStrategy.ByKey("key");
                table["spec/podCIDRs"] = ListStrategy.PrimitiveUnion;
                table["status/addresses"] = ListStrategy.ByKey("type");
                break;
        }
        return table;
    }
}
