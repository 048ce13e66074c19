using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Tests.Controllers;

internal static class Fixtures
{
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static JsonObject ReplicaSet(string name = "web-1", int replicas = 3, string uid = "rs-uid", long minReadySeconds = 0, string app = "web") => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "ReplicaSet",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["uid"] = uid, ["generation"] = 2 },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["minReadySeconds"] = minReadySeconds,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = app } },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "nginx" }) },
            },
        },
    };

    public static JsonObject Pod(string name, string? ownerUid, string app = "web", bool ready = false, string? node = null, string phase = "Running", bool deleting = false, DateTimeOffset? readySince = null)
    {
        var meta = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "default",
            ["uid"] = "pod-" + name,
            ["labels"] = new JsonObject { ["app"] = app },
            ["creationTimestamp"] = ObjectMeta.FormatTime(Now.AddMinutes(-1)),
        };
        if (ownerUid is not null)
            meta["ownerReferences"] = new JsonArray(new JsonObject { ["kind"] = "ReplicaSet", ["name"] = "x", ["uid"] = ownerUid, ["controller"] = true });
        if (deleting) meta["deletionTimestamp"] = ObjectMeta.FormatTime(Now);
        return new JsonObject
        {
            ["metadata"] = meta,
            ["spec"] = new JsonObject { ["nodeName"] = node },
            ["status"] = new JsonObject
            {
                ["phase"] = phase,
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = ready ? "True" : "False",
                    ["lastTransitionTime"] = ObjectMeta.FormatTime(readySince ?? Now.AddMinutes(-1)),
                }),
            },
        };
    }
}
