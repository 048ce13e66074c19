using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Domain.NodeAgent;
using Orchestrator.Domain.Pods;
using Orchestrator.NodeAgent.Sync;
using Orchestrator.Runtime;
using Orchestrator.TestSupport.Runtime;
using Orchestrator.TestSupport.Stores;

namespace Orchestrator.NodeAgent.Tests.Unit.Sync;

/// <summary>
/// A <see cref="PodSyncer"/> on the in-memory runtime and store, with a clock the test moves:
/// pods are put in the store, synced by hand, and read back.
/// </summary>
internal sealed class SyncerHarness : IDisposable
{
    public const string Node = "node-a";
    public const string Image = "orchestrator/busybox:v2";
    public const string Ns = "default";

    private readonly HttpClient _probeHttp = new();

    public SyncerHarness()
    {
        Runtime = new InMemoryContainerRuntime(Node, Time);
        Runtime.AddImage(Image);
        Syncer = NewAgent();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public InMemoryContainerRuntime Runtime { get; }

    /// <summary>The store; a pod delete with a grace period marks the pod, as the pod entity does, until the agent deletes it with grace 0.</summary>
    public InMemoryStore Store { get; } = new() { GracefulPodDeletes = true };

    public PodSyncer Syncer { get; private set; }

    /// <summary>The node's file system the pod volumes are on.</summary>
    public TestSupport.Volumes.InMemoryVolumeFileSystem Files { get; } = new();

    /// <summary>Where pod volumes live in <see cref="Files"/>.</summary>
    public const string VolumesRoot = "/var/lib/orchestrator/pods";

    /// <summary>A syncer as a freshly started agent has it: nothing remembered, only the engine and the store to go by.</summary>
    public PodSyncer NewAgent() => new(Runtime, Store, Node, "127.0.0.1", RestartBackoff.Kubernetes, Time, _probeHttp, NullLogger.Instance,
        volumes: new NodeAgent.Volumes.PodVolumes(Files, VolumesRoot, Time));

    public void RestartAgent() => Syncer = NewAgent();

    /// <summary>Puts a pod bound to this node with one container <c>app</c>; <paramref name="container"/> adds to the container's spec.</summary>
    public JsonObject AddPod(string name, string restartPolicy = "Always", JsonObject? container = null, long graceSeconds = 30)
    {
        var app = new JsonObject { ["name"] = "app", ["image"] = Image };
        foreach (var (key, value) in container ?? new JsonObject()) app[key] = value?.DeepClone();
        return Store.Put(PodKind.Instance, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns, ["uid"] = "uid-" + name },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = Node,
                ["restartPolicy"] = restartPolicy,
                ["terminationGracePeriodSeconds"] = graceSeconds,
                ["containers"] = new JsonArray(app),
            },
            ["status"] = new JsonObject { ["phase"] = "Pending" },
        });
    }

    /// <summary>Puts a pod as <see cref="AddPod"/> does, with init containers of these names (in this order).</summary>
    public JsonObject AddPodWithInits(string name, string restartPolicy, params string[] inits)
    {
        var pod = (JsonObject)AddPod(name, restartPolicy).DeepClone();
        pod["spec"]!["initContainers"] = new JsonArray([.. inits.Select(i => (JsonNode)new JsonObject { ["name"] = i, ["image"] = Image })]);
        return Store.Put(PodKind.Instance, pod);
    }

    /// <summary>The pod's status of the init container <paramref name="init"/>.</summary>
    public JsonObject InitStatus(string name, string init) =>
        Pod(name)!["status"]!["initContainerStatuses"]!.AsArray().OfType<JsonObject>().Single(s => s["name"]!.GetValue<string>() == init);

    /// <summary>The newest run of the pod's container <paramref name="container"/> on the engine; null when none.</summary>
    public ContainerStatus? Run(string name, string container) => Apps(name).LastOrDefault(c => c.Name == container);

    public Task<SyncOutcome> Sync(string name) => Syncer.SyncAsync(Ns, name, CancellationToken.None);

    public JsonObject? Pod(string name) => Store.Find(PodKind.Instance, Ns, name);

    public string Phase(string name) => Pod(name)!["status"]!["phase"]!.GetValue<string>();

    public JsonObject ContainerStatus(string name) => (JsonObject)Pod(name)!["status"]!["containerStatuses"]![0]!;

    public string? WaitingReason(string name) => ContainerStatus(name)["state"]?["waiting"]?["reason"]?.GetValue<string>();

    public int RestartCount(string name) => ContainerStatus(name)["restartCount"]!.GetValue<int>();

    public bool Ready(string name) => ContainerStatus(name)["ready"]!.GetValue<bool>();

    /// <summary>The app containers of the pod on the engine, oldest first.</summary>
    public IReadOnlyList<ContainerStatus> Apps(string name) =>
        [.. Runtime.Containers().Where(c => c.Kind == ContainerKind.App && c.Pod?.Name == name)];

    /// <summary>The newest app container of the pod.</summary>
    public ContainerStatus Current(string name) => Apps(name)[^1];

    public void Dispose() => _probeHttp.Dispose();
}
