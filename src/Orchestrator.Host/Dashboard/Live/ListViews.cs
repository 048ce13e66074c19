using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.CommandHost.Palettes.Resources;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Endpoints;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using Orchestrator.Domain.Services;

namespace Orchestrator.Host.Dashboard.Live;

/// <summary>One row being rendered: the object, the related list (a Service's Endpoints, a Node's pods), and now.</summary>
public sealed record Row(JsonObject Object, LiveObjects? Related, DateTimeOffset Now);

/// <summary>A column of a list: its header and how a row shows in it.</summary>
public sealed record Column(string Header, Func<Row, string> Value);

/// <summary>
/// What a list page of the dashboard shows for a kind: its columns, its order, and the kind whose
/// objects it joins (Services show their Endpoints, Nodes their pods).
/// </summary>
public sealed record ListView(string Path, string Title, ResourceKind Kind, IReadOnlyList<Column> Columns, ResourceKind? Related = null, bool NewestFirst = false)
{
    private static readonly Column Name = new("Name", r => r.Object.Name());
    private static readonly Column Namespace = new("Namespace", r => r.Object.Namespace());
    private static readonly Column Age = new("Age", r => Ages.Since(r.Object.Metadata().GetString("creationTimestamp"), r.Now));

    public static IReadOnlyList<ListView> All { get; } =
    [
        new("namespaces", "Namespaces", NamespaceKind.Instance, [Name, new("Status", r => Status(r, "phase")), Age]),
        new("deployments", "Deployments", DeploymentKind.Instance,
        [
            Namespace, Name,
            new("Ready", r => $"{Status(r, "readyReplicas", "0")}/{r.Object["spec"]?["replicas"]?.ToString() ?? "1"}"),
            new("Up to date", r => Status(r, "updatedReplicas", "0")),
            new("Available", r => Status(r, "availableReplicas", "0")),
            new("Rollout", r => RolloutProgress.Of(r.Object).Message),
            Age,
        ]),
        new("replicasets", "ReplicaSets", ReplicaSetKind.Instance,
        [
            Namespace, Name,
            new("Desired", r => r.Object["spec"]?["replicas"]?.ToString() ?? "1"),
            new("Current", r => Status(r, "replicas", "0")),
            new("Ready", r => Status(r, "readyReplicas", "0")),
            new("Owner", r => Owner(r.Object)),
            Age,
        ]),
        new("pods", "Pods", PodKind.Instance,
        [
            Namespace, Name,
            new("Ready", r => $"{Containers(r.Object).Count(c => c["ready"]?.GetValue<bool>() == true)}/{(r.Object["spec"]?["containers"] as JsonArray)?.Count ?? 0}"),
            new("Status", r => PodStatus(r.Object)),
            new("Restarts", r => Containers(r.Object).Sum(c => c["restartCount"].GetLong() ?? 0).ToString(CultureInfo.InvariantCulture)),
            new("Node", r => r.Object["spec"]?["nodeName"]?.ToString() ?? ""),
            new("IP", r => Status(r, "podIP")),
            Age,
        ]),
        new("services", "Services", ServiceKind.Instance,
        [
            Namespace, Name,
            new("Type", r => r.Object["spec"]?["type"]?.ToString() ?? "ClusterIP"),
            new("Cluster IP", r => r.Object["spec"]?["clusterIP"]?.ToString() ?? ""),
            new("Ports", r => string.Join(", ", ((r.Object["spec"]?["ports"] as JsonArray) ?? []).OfType<JsonObject>()
                .Select(p => $"{p["port"]}/{p.GetString("protocol") ?? "TCP"}" + (p["nodePort"] is { } np ? $" (node {np})" : "")))),
            new("Endpoints", r => Endpoints(r.Related?.Find(r.Object.Namespace(), r.Object.Name()))),
            Age,
        ], Related: EndpointsKind.Instance),
        new("configmaps", "ConfigMaps", ConfigMapKind.Instance,
        [
            Namespace, Name,
            new("Data", r => ((r.Object["data"] as JsonObject)?.Count ?? 0).ToString(CultureInfo.InvariantCulture)),
            Age,
        ]),
        new("secrets", "Secrets", SecretKind.Instance,
        [
            Namespace, Name,
            new("Type", r => r.Object.GetString("type") ?? "Opaque"),
            new("Keys (decoded bytes)", r => SecretKeys(r.Object)),
            Age,
        ]),
        new("nodes", "Nodes", NodeKind.Instance,
        [
            Name,
            new("Status", r => NodeStatus(r.Object)),
            new("Conditions", r => string.Join(", ", ((r.Object["status"]?["conditions"] as JsonArray) ?? []).OfType<JsonObject>()
                .Select(c => $"{c.GetString("type")}={c.GetString("status")}"))),
            new("Taints", r => string.Join(", ", ((r.Object["spec"]?["taints"] as JsonArray) ?? []).OfType<JsonObject>()
                .Select(t => $"{t.GetString("key")}{(t.GetString("value") is { } v ? "=" + v : "")}:{t.GetString("effect")}"))),
            new("Pods", r => (r.Related?.Items.Count(p => p["spec"]?["nodeName"]?.ToString() == r.Object.Name()) ?? 0).ToString(CultureInfo.InvariantCulture)),
            Age,
        ], Related: PodKind.Instance),
        new("events", "Events", EventKind.Instance,
        [
            new("Last seen", r => Ages.Since(EventTime(r.Object), r.Now)),
            Namespace,
            new("Type", r => r.Object.GetString("type") ?? ""),
            new("Reason", r => r.Object.GetString("reason") ?? ""),
            new("Object", r => $"{r.Object["involvedObject"]?["kind"]}/{r.Object["involvedObject"]?["name"]}"),
            new("Count", r => r.Object["count"]?.ToString() ?? "1"),
            new("Message", r => r.Object.GetString("message") ?? ""),
        ], NewestFirst: true),
    ];

    public static ListView? Find(string path) => All.FirstOrDefault(v => v.Path == path);

    /// <summary>The order of the list: newest event first, else namespace then name.</summary>
    public IEnumerable<JsonObject> Order(IEnumerable<JsonObject> items) => NewestFirst
        ? items.OrderByDescending(EventTime, StringComparer.Ordinal)
        : items.OrderBy(o => o.Namespace(), StringComparer.Ordinal).ThenBy(o => o.Name(), StringComparer.Ordinal);

    public static string EventTime(JsonObject e) =>
        e.GetString("lastTimestamp") ?? e.GetString("eventTime") ?? e.Metadata().GetString("creationTimestamp") ?? "";

    private static string Status(Row r, string field, string none = "") => r.Object["status"]?[field]?.ToString() ?? none;

    private static IEnumerable<JsonObject> Containers(JsonObject pod) => ((pod["status"]?["containerStatuses"] as JsonArray) ?? []).OfType<JsonObject>();

    public static string PodStatus(JsonObject pod)
    {
        if (pod.IsDeleting()) return "Terminating";
        foreach (var c in Containers(pod))
        {
            if (c["state"]?["waiting"]?["reason"]?.ToString() is { Length: > 0 } waiting) return waiting;
            if (c["state"]?["terminated"]?["reason"]?.ToString() is { Length: > 0 } terminated && pod["status"]?["phase"]?.ToString() == "Running") return terminated;
        }
        return pod["status"]?["phase"]?.ToString() ?? "Pending";
    }

    public static string NodeStatus(JsonObject node) =>
        (Domain.Scheduling.NodeState.IsReady(node) ? "Ready" : "NotReady") + (node["spec"]?["unschedulable"]?.GetValue<bool>() == true ? ",SchedulingDisabled" : "");

    private static string Owner(JsonObject obj) =>
        ((obj.Metadata()["ownerReferences"] as JsonArray) ?? []).OfType<JsonObject>().Select(o => $"{o.GetString("kind")}/{o.GetString("name")}").FirstOrDefault() ?? "";

    private static string Endpoints(JsonObject? endpoints)
    {
        if (endpoints is null) return "<none>";
        var addresses = ((endpoints["subsets"] as JsonArray) ?? []).OfType<JsonObject>().SelectMany(s =>
        {
            var ports = ((s["ports"] as JsonArray) ?? []).OfType<JsonObject>().Select(p => p["port"]?.ToString()).ToList();
            return ((s["addresses"] as JsonArray) ?? []).OfType<JsonObject>()
                .SelectMany(a => ports.Count == 0 ? [a.GetString("ip") ?? ""] : ports.Select(p => $"{a.GetString("ip")}:{p}"));
        }).ToList();
        return addresses.Count == 0 ? "<none>" : string.Join(", ", addresses);
    }

    /// <summary>A Secret's keys and the size of each decoded value; never the values.</summary>
    public static string SecretKeys(JsonObject secret) =>
        string.Join(", ", ((secret["data"] as JsonObject) ?? []).Select(kv => $"{kv.Key} ({DecodedLength(kv.Value?.ToString())})"));

    public static int DecodedLength(string? base64)
    {
        if (string.IsNullOrEmpty(base64)) return 0;
        var padding = base64.EndsWith("==", StringComparison.Ordinal) ? 2 : base64.EndsWith('=') ? 1 : 0;
        return base64.Length / 4 * 3 - padding;
    }
}

/// <summary>Ages as kubectl prints them: 45s, 12m, 3h, 5d.</summary>
public static class Ages
{
    public static string Since(string? timestamp, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var then)) return "";
        var age = now - then;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return age.TotalSeconds < 120 ? $"{(int)age.TotalSeconds}s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
