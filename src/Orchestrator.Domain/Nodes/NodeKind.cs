using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Nodes;

/// <summary>Node (core/v1): a worker that runs pods; its node agent keeps its status and heartbeat.</summary>
public sealed class NodeKind : ResourceKind<V1Node>
{
    public static readonly NodeKind Instance = new();

    public override string Kind => "Node";
    public override string Plural => "nodes";
    public override bool Namespaced => false;
    public override IReadOnlyList<string> ShortNames => ["no"];

    /// <summary>A node registers with its status already filled in, so status is kept on create.</summary>
    public override void PrepareForCreate(JsonObject obj) { }

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        if (obj["spec"]?["taints"] is JsonArray taints)
        {
            for (var i = 0; i < taints.Count; i++)
            {
                if (taints[i] is not JsonObject t) continue;
                if (string.IsNullOrEmpty(t.GetString("key")))
                    yield return FieldError.Required($"spec.taints[{i}].key");
                var effect = t.GetString("effect");
                if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
                    yield return FieldError.NotSupported($"spec.taints[{i}].effect", effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"]);
            }
        }
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Status", "string", "The status of the node"),
        new("Roles", "string", "The roles of the node"),
        AgeColumn,
        new("Version", "string", "Kubelet Version reported by the node."),
        new("Internal-IP", "string", "Internal IP of the node", 1),
        new("Container-Runtime", "string", "Container runtime reported by the node.", 1),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now)
    {
        var ready = (obj["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == "Ready");
        var status = ready?.GetString("status") switch { "True" => "Ready", "False" => "NotReady", _ => "Unknown" };
        if (obj["spec"]?["unschedulable"] is JsonValue u && u.TryGetValue<bool>(out var cordoned) && cordoned) status += ",SchedulingDisabled";
        var roles = obj.Labels().Keys.Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
            .Select(k => k["node-role.kubernetes.io/".Length..]).ToList();
        var internalIp = (obj["status"]?["addresses"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(a => a.GetString("type") == "InternalIP").GetString("address");
        var info = obj["status"]?["nodeInfo"] as JsonObject;
        return [obj.Name(), status, roles.Count == 0 ? "<none>" : string.Join(",", roles), Age(obj, now),
            info.GetString("kubeletVersion") ?? "", internalIp ?? "<none>", info.GetString("containerRuntimeVersion") ?? ""];
    }
}
