using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;

namespace Orchestrator.TestSupport.Builders;

/// <summary>
/// Pods, Nodes, ReplicaSets and Deployments in the Kubernetes JSON shape, for the tests of the
/// pure rules and of the controllers: what a test does not set is a small valid value (the
/// <c>app=web</c> label and selector, one container <c>c</c> running <c>nginx</c>, the
/// <c>default</c> namespace). Times are relative to <see cref="Now"/> unless given.
/// </summary>
public static class TestObjects
{
    /// <summary>The tests' "now": a fixed instant, so times in objects and assertions agree.</summary>
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A pod labelled <c>app</c>, <paramref name="phase"/> with a Ready condition
    /// (<paramref name="ready"/>, since <paramref name="readySince"/>), bound to <paramref name="node"/>
    /// when given, controlled by <paramref name="owner"/> (or by a ReplicaSet of uid <paramref name="ownerUid"/>),
    /// its one container requesting <paramref name="cpu"/> and <paramref name="memory"/>.
    /// </summary>
    public static JsonObject Pod(string name, string? ownerUid = null, string app = "web", bool ready = false, string? node = null,
        string phase = "Running", bool deleting = false, DateTimeOffset? readySince = null, string ns = "default",
        string cpu = "100m", string memory = "64Mi", JsonObject? owner = null)
    {
        var meta = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["uid"] = "pod-" + name,
            ["labels"] = new JsonObject { ["app"] = app },
            ["creationTimestamp"] = ObjectMeta.FormatTime(Now.AddMinutes(-1)),
        };
        if (owner is not null)
            meta["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(owner));
        else if (ownerUid is not null)
            meta["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "x", ["uid"] = ownerUid, ["controller"] = true });
        if (deleting) meta["deletionTimestamp"] = ObjectMeta.FormatTime(Now);
        var container = new JsonObject
        {
            ["name"] = "c",
            ["image"] = "nginx",
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory } },
        };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = new JsonObject { ["nodeName"] = node, ["schedulerName"] = "default-scheduler", ["containers"] = new JsonArray(container) },
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

    /// <summary>A node with allocatable cpu and memory, its Ready condition last heartbeaten at <paramref name="heartbeat"/>, and taints.</summary>
    public static JsonObject Node(string name, string cpu = "4", string memory = "8Gi", bool ready = true, DateTimeOffset? heartbeat = null, JsonArray? taints = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = name },
            ["creationTimestamp"] = "2026-01-01T00:00:00Z",
        },
        ["spec"] = taints is null ? new JsonObject() : new JsonObject { ["taints"] = taints },
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

    /// <summary>A ReplicaSet selecting <c>app</c> with a template of that label.</summary>
    public static JsonObject ReplicaSet(string name = "web-1", int replicas = 3, string? uid = "rs-uid", long minReadySeconds = 0, string app = "web", long generation = 2) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "ReplicaSet",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["uid"] = uid, ["generation"] = generation },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["minReadySeconds"] = minReadySeconds,
            ["selector"] = Selector(app),
            ["template"] = Template(app, "nginx"),
        },
    };

    /// <summary>A Deployment <c>web</c> selecting <c>app=web</c>, with its strategy (maxSurge and maxUnavailable as numbers or percentages).</summary>
    public static JsonObject Deployment(int replicas, string image = "nginx:1", object? maxSurge = null, object? maxUnavailable = null,
        string strategy = "RollingUpdate", int history = 10, string name = "web", long generation = 1) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["uid"] = "dep-uid", ["generation"] = generation },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["revisionHistoryLimit"] = history,
            ["progressDeadlineSeconds"] = 600,
            ["selector"] = Selector("web"),
            ["strategy"] = strategy == "RollingUpdate"
                ? new JsonObject { ["type"] = strategy, ["rollingUpdate"] = new JsonObject { ["maxSurge"] = JsonValue.Create(maxSurge ?? "25%"), ["maxUnavailable"] = JsonValue.Create(maxUnavailable ?? "25%") } }
                : new JsonObject { ["type"] = strategy },
            ["template"] = Template("web", image),
        },
    };

    private static JsonObject Selector(string app) => new() { ["matchLabels"] = new JsonObject { ["app"] = app } };

    private static JsonObject Template(string app, string image) => new()
    {
        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = app } },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = image }) },
    };
}
