using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// A real node process whose node agent drives the real Docker engine under a node name of its
/// own (so its containers are told apart from everyone else's and removed at the end), with short
/// backoffs and resyncs so restarts are observable in seconds.
/// </summary>
public sealed class AgentNode : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _extraConfig;

    public string NodeName { get; }
    public NodeProcess Node { get; private set; } = null!;
    public Kubectl Kubectl => new(Node.Server);
    public DockerContainerRuntime Runtime { get; }

    private AgentNode(string nodeName, string folder, string extraConfig)
    {
        _extraConfig = extraConfig;
        NodeName = nodeName;
        _folder = folder;
        // As the node's own runtime sees the engine: its pods on its own network (the default pool).
        Runtime = new DockerContainerRuntime(new DockerRuntimeOptions(nodeName).WithOwnPodNetwork(System.Net.IPNetwork.Parse("10.244.0.0/16")));
    }

    /// <param name="nodeName">The node's name (default: a fresh one).</param>
    /// <param name="extraConfig">HOCON appended to the node's overlay, e.g. <c>orchestrator.node-agent.sandbox-pool-size = 2</c>.</param>
    public static async Task<AgentNode> StartAsync(string? nodeName = null, string extraConfig = "")
    {
        var node = new AgentNode(nodeName ?? "test-" + Guid.NewGuid().ToString("N")[..8], Directory.CreateTempSubdirectory("orchestrator-agent-").FullName, extraConfig);
        await node.StartProcessAsync();
        return node;
    }

    /// <summary>Starts (or starts again, on the same data folder) the node process.</summary>
    public async Task StartProcessAsync()
    {
        var overlay = Path.Combine(_folder, "agent.conf");
        await File.WriteAllTextAsync(overlay, $$"""
            include "{{Path.Combine(AppContext.BaseDirectory, "hocon", "single-node.conf")}}"
            orchestrator.node-agent {
              restart-backoff { initial = 1s, max = 4s }
              resync-interval = 2s
              gc-interval = 3s
              heartbeat-interval = 2s
            }
            # The node is down on purpose in restart tests: keep the node lifecycle controller from
            # evicting its pods meanwhile (Kubernetes' own defaults: 40s and 5 min).
            orchestrator.controllers {
              node-monitor-grace-period = 40s
              pod-eviction-timeout = 300s
            }
            {{_extraConfig}}
            """);
        Node = await NodeProcess.StartAsync(Path.Combine(_folder, "data"), new Dictionary<string, string>
        {
            ["ORCHESTRATOR_CONFIG"] = overlay,
            ["ORCHESTRATOR_NODE_NAME"] = NodeName,
            ["ORCHESTRATOR_PBM_PORT"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>kill -9 of the node process; its containers keep running.</summary>
    public Task KillAsync() => Node.Kill();

    public async Task<JsonObject> CreateBoundPodAsync(string name, string yaml)
    {
        var file = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, yaml);
        await RetryAsync(async () => (await Kubectl.RunAsync($"create -f {file}")).EnsureSuccess());
        using var http = Node.CreateHttpClient();
        var binding = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Binding",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["target"] = new JsonObject { ["kind"] = "Node", ["name"] = NodeName },
        };
        using var response = await http.PostAsync($"/api/v1/namespaces/default/pods/{name}/binding",
            new StringContent(binding.ToJsonString(), Encoding.UTF8, "application/json"));
        var pod = await GetPodAsync(name);
        // The cluster's scheduler may have bound it to this (the only) node first: that is as good.
        Assert.True(response.IsSuccessStatusCode || pod["spec"]?["nodeName"]?.GetValue<string>() == NodeName, await response.Content.ReadAsStringAsync());
        return pod;
    }

    public async Task<JsonObject> GetPodAsync(string name)
    {
        using var http = Node.CreateHttpClient();
        return (await http.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/default/pods/{name}"))!;
    }

    /// <summary>Polls the pod until <paramref name="condition"/> holds (fails with the last pod seen after <paramref name="timeout"/>).</summary>
    public Task<JsonObject> WaitForPodAsync(string name, Func<JsonObject, bool> condition, TimeSpan? timeout = null)
    {
        JsonObject? last = null;
        return Poll.For(async () => condition(last = await GetPodAsync(name)) ? last : null, timeout ?? TimeSpan.FromSeconds(90),
            $"pod {name} to reach the expected state", tolerate: e => e is HttpRequestException,
            detail: () => $"last seen:\n{last?.ToJsonString()}\n--- node output (tail) ---\n{Tail(Node.Output)}");
    }

    public async Task<IReadOnlyList<ContainerStatus>> ContainersOfAsync(string podName) =>
        await Runtime.ListContainersAsync(new Dictionary<string, string> { [ContainerLabels.PodName] = podName }, CancellationToken.None);

    public static JsonObject? ContainerStatus(JsonObject pod, int index = 0) => pod["status"]?["containerStatuses"]?[index] as JsonObject;

    public static string? WaitingReason(JsonObject pod) => ContainerStatus(pod)?["state"]?["waiting"]?["reason"]?.GetValue<string>();

    public static int RestartCount(JsonObject pod) => ContainerStatus(pod)?["restartCount"]?.GetValue<int>() ?? 0;

    public static string? Phase(JsonObject pod) => pod["status"]?["phase"]?.GetValue<string>();

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(40));

    private static async Task RetryAsync(Func<Task> action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action();
                return;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                await Task.Delay(500 * attempt);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        // Remove every container this test's node created, whatever state the test left.
        var leftovers = await Runtime.ListContainersAsync(new Dictionary<string, string>(), CancellationToken.None);
        foreach (var c in leftovers.Where(c => c.Kind == ContainerKind.App)) await Runtime.RemoveContainerAsync(c.Id, CancellationToken.None);
        foreach (var c in leftovers.Where(c => c.Kind == ContainerKind.Sandbox)) await Runtime.RemovePodSandboxAsync(c.Id, CancellationToken.None);
        Runtime.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One agent node shared by the tests of a class.</summary>
public sealed class AgentNodeFixture : IAsyncLifetime
{
    public AgentNode Agent { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (RealParts.SkipReason(RealParts.DockerUnavailable) is not null) return;
        Agent = await AgentNode.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Agent is null) return;
        // Keep the node's output for whoever investigates a failure.
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"orchestrator-{Agent.NodeName}.log"), Agent.Node.Output);
        await Agent.DisposeAsync();
    }
}
