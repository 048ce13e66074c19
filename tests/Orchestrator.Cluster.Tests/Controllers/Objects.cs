using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Tests.Controllers;

/// <summary>Builders of the objects the controller specs put into the fake store.</summary>
public static class Objects
{
    public static JsonObject Node(string name, string cpu = "4", string memory = "8Gi", bool ready = true, DateTimeOffset? heartbeat = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = name } },
        ["spec"] = new JsonObject(),
        ["status"] = new JsonObject
        {
            ["allocatable"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory, ["pods"] = "110" },
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Ready",
                ["status"] = ready ? "True" : "False",
                ["lastHeartbeatTime"] = ObjectMeta.FormatTime(heartbeat ?? DateTimeOffset.UtcNow),
            }),
        },
    };

    public static JsonObject Pod(string name, string ns = "default", string cpu = "100m", string memory = "64Mi", string? node = null, JsonObject? owner = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { ["app"] = "web" },
            ["ownerReferences"] = owner is null ? null : new JsonArray(OwnerRef(owner)),
        },
        ["spec"] = new JsonObject
        {
            ["nodeName"] = node,
            ["schedulerName"] = "default-scheduler",
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "c",
                ["image"] = "nginx",
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory } },
            }),
        },
        ["status"] = new JsonObject { ["phase"] = "Pending" },
    };

    public static JsonObject OwnerRef(JsonObject owner) => PodHelpers.NewControllerRef(owner);

    public static string? NodeOf(JsonObject pod) => pod["spec"]?["nodeName"]?.GetValue<string>();
}
