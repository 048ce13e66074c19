using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Deployments end to end on one real node process and the real Docker engine: the scheduler binds
/// the pods the ReplicaSet controller creates, the node agent runs them as containers, and kubectl
/// drives rollouts, rollbacks and deletion. Each test works in a namespace of its own, so the tests
/// share one node and stay independent.
/// </summary>
public sealed class DeploymentEndToEndTests(AgentNodeFixture fixture) : IClassFixture<AgentNodeFixture>, IDisposable
{
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(120);

    private readonly DockerClient _docker = new DockerClientConfiguration(new Uri("unix://" + RealParts.DockerSocket)).CreateClient();

    private AgentNode Agent => fixture.Agent;

    public void Dispose() => _docker.Dispose();

    /// <summary>
    /// A Deployment whose pods are Ready once their container listens on port 8080 (tcpSocket probe
    /// every second; an exec probe's docker exec alone takes about a second on a loaded 2-core box,
    /// so it would time out now and then and make Ready flap) and that stop promptly on SIGTERM.
    /// </summary>
    private static string DeploymentYaml(string name, string image, int replicas, int maxUnavailable = 1, int maxSurge = 1) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        spec:
          replicas: {replicas}
          minReadySeconds: 0
          revisionHistoryLimit: 5
          strategy:
            type: RollingUpdate
            rollingUpdate: {"{"}maxUnavailable: {maxUnavailable}, maxSurge: {maxSurge}{"}"}
          selector:
            matchLabels: {"{"}app: {name}{"}"}
          template:
            metadata:
              labels: {"{"}app: {name}{"}"}
            spec:
              terminationGracePeriodSeconds: 5
              containers:
              - name: main
                image: {image}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "trap 'exit 0' TERM; httpd -p 8080 -h /www; while true; do sleep 1; done"]
                readinessProbe:
                  tcpSocket: {"{"}port: 8080{"}"}
                  periodSeconds: 1
                  timeoutSeconds: 3
                  failureThreshold: 3
        """;

    private async Task<string> NewNamespaceAsync(string prefix)
    {
        var ns = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        (await Agent.Kubectl.RunAsync($"create namespace {ns}")).EnsureSuccess();
        return ns;
    }

    private async Task ApplyAsync(string ns, string yaml) =>
        (await Agent.Kubectl.RunAsync($"apply -n {ns} -f -", yaml)).EnsureSuccess();

    private async Task RolloutStatusAsync(string ns, string name) =>
        (await Agent.Kubectl.RunAsync($"rollout status deployment/{name} -n {ns} --timeout=150s", timeout: TimeSpan.FromSeconds(160))).EnsureSuccess();

    private async Task<List<JsonObject>> PodsAsync(string ns, string app)
    {
        using var http = Agent.Node.CreateHttpClient();
        var list = await http.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/{ns}/pods?labelSelector=app%3D{app}");
        return list!["items"]!.AsArray().OfType<JsonObject>().ToList();
    }

    private async Task<List<JsonObject>> ListAsync(string path)
    {
        using var http = Agent.Node.CreateHttpClient();
        var list = await http.GetFromJsonAsync<JsonObject>(path);
        return list!["items"]!.AsArray().OfType<JsonObject>().ToList();
    }

    private static bool IsReady(JsonObject pod) =>
        pod["metadata"]?["deletionTimestamp"] is null
        && pod["status"]?["conditions"]?.AsArray().Any(c => c?["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True") == true;

    private static string Image(JsonObject pod) => pod["spec"]!["containers"]![0]!["image"]!.GetValue<string>();

    private static string Uid(JsonObject obj) => obj["metadata"]!["uid"]!.GetValue<string>();

    /// <summary>Every container (any state) the test node's agent made for pods of <paramref name="ns"/>.</summary>
    private async Task<IList<ContainerListResponse>> ContainersAsync(string ns, string kind = ContainerLabels.AppKind) =>
        await _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool>
                {
                    [$"{ContainerLabels.Node}={Agent.NodeName}"] = true,
                    [$"{ContainerLabels.PodNamespace}={ns}"] = true,
                    [$"{ContainerLabels.ContainerKind}={kind}"] = true,
                },
            },
        });

    /// <summary>Polls until <paramref name="condition"/> holds for the deployment's pods; fails with the last pods seen.</summary>
    private Task<List<JsonObject>> WaitForPodsAsync(string ns, string app, Func<List<JsonObject>, bool> condition, string what)
    {
        List<JsonObject> last = [];
        return Poll.For(async () => condition(last = await PodsAsync(ns, app)) ? last : null, Convergence, what,
            detail: () => $"pods:\n{string.Join('\n', last.Select(p => p.ToJsonString()))}");
    }

    /// <summary>The running app containers in Docker behind <paramref name="pods"/>, one per pod, with the pod's image.</summary>
    private async Task AssertBackedByRunningContainersAsync(string ns, IReadOnlyList<JsonObject> pods)
    {
        var containers = await ContainersAsync(ns);
        foreach (var pod in pods)
        {
            var running = containers.Where(c => c.Labels[ContainerLabels.PodUid] == Uid(pod) && c.State == "running").ToList();
            var container = Assert.Single(running);
            Assert.Equal(pod["metadata"]!["name"]!.GetValue<string>(), container.Labels[ContainerLabels.PodName]);
            Assert.Equal(Image(pod), container.Image);
        }
    }

    [DockerFact]
    public async Task A_deployment_of_three_replicas_runs_three_containers_in_docker()
    {
        var ns = await NewNamespaceAsync("e2e-three");
        await ApplyAsync(ns, DeploymentYaml("web", "orchestrator/busybox:latest", 3));
        await RolloutStatusAsync(ns, "web");

        var pods = await WaitForPodsAsync(ns, "web", p => p.Count == 3 && p.All(x => AgentNode.Phase(x) == "Running" && IsReady(x)), "3 Running and Ready pods");
        Assert.All(pods, p => Assert.Equal(Agent.NodeName, p["spec"]!["nodeName"]!.GetValue<string>()));
        await AssertBackedByRunningContainersAsync(ns, pods);
        Assert.Equal(3, (await ContainersAsync(ns)).Count(c => c.State == "running"));
    }

    [DockerFact]
    public async Task A_rolling_update_never_drops_below_replicas_minus_maxUnavailable_ready_pods()
    {
        const int replicas = 3, maxUnavailable = 1;
        var ns = await NewNamespaceAsync("e2e-roll");
        await ApplyAsync(ns, DeploymentYaml("web", "orchestrator/busybox:latest", replicas, maxUnavailable));
        await RolloutStatusAsync(ns, "web");
        await WaitForPodsAsync(ns, "web", p => p.Count(IsReady) == replicas, "all pods Ready before the update");

        using var watch = await PodWatch.StartAsync(Agent.Node, ns, "web");
        (await Agent.Kubectl.RunAsync($"set image deployment/web main=orchestrator/busybox:v2 -n {ns}")).EnsureSuccess();
        await RolloutStatusAsync(ns, "web");
        // The rollout is complete; the watch sees the old pods go and only new ones Ready.
        await watch.WaitUntilAsync(pods => pods.Count == replicas && pods.Values.All(p => IsReady(p) && Image(p) == "orchestrator/busybox:v2"), Convergence);
        watch.Stop();

        Assert.True(watch.Events > replicas * 2, $"the watch saw only {watch.Events} events");
        Assert.True(watch.MinReady >= replicas - maxUnavailable,
            $"only {watch.MinReady} pods were Ready after event {watch.MinReadyEvent}:\n{watch.MinReadySnapshot}");
        await AssertBackedByRunningContainersAsync(ns, await PodsAsync(ns, "web"));
    }

    [DockerFact]
    public async Task Rollout_undo_restores_the_previous_template_and_its_pods()
    {
        var ns = await NewNamespaceAsync("e2e-undo");
        await ApplyAsync(ns, DeploymentYaml("web", "orchestrator/busybox:latest", 2));
        await RolloutStatusAsync(ns, "web");
        (await Agent.Kubectl.RunAsync($"set image deployment/web main=orchestrator/busybox:v2 -n {ns}")).EnsureSuccess();
        await RolloutStatusAsync(ns, "web");
        await WaitForPodsAsync(ns, "web", p => p.Count == 2 && p.All(x => IsReady(x) && Image(x) == "orchestrator/busybox:v2"), "2 pods on v2");

        (await Agent.Kubectl.RunAsync($"rollout undo deployment/web -n {ns}")).EnsureSuccess();
        await RolloutStatusAsync(ns, "web");

        var deployment = JsonNode.Parse((await Agent.Kubectl.RunAsync($"get deployment web -n {ns} -o json")).EnsureSuccess().Stdout)!;
        Assert.Equal("orchestrator/busybox:latest", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("3", deployment["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
        var pods = await WaitForPodsAsync(ns, "web", p => p.Count == 2 && p.All(x => IsReady(x) && Image(x) == "orchestrator/busybox:latest"), "2 pods back on the old image");
        await AssertBackedByRunningContainersAsync(ns, pods);
        // The old ReplicaSet is the one scaled back up (no third ReplicaSet for a known template).
        Assert.Equal(2, (await ListAsync($"/apis/apps/v1/namespaces/{ns}/replicasets")).Count);
    }

    [DockerFact]
    public async Task A_killed_container_is_restarted_and_the_pod_is_Ready_again()
    {
        var ns = await NewNamespaceAsync("e2e-kill");
        await ApplyAsync(ns, DeploymentYaml("web", "orchestrator/busybox:latest", 1));
        var pod = (await WaitForPodsAsync(ns, "web", p => p.Count == 1 && IsReady(p[0]), "a Ready pod"))[0];
        Assert.Equal(0, AgentNode.RestartCount(pod));
        var container = Assert.Single(await ContainersAsync(ns), c => c.State == "running");

        await _docker.Containers.KillContainerAsync(container.ID, new ContainerKillParameters { Signal = "SIGKILL" });

        var restarted = (await WaitForPodsAsync(ns, "web",
            p => p.Count == 1 && Uid(p[0]) == Uid(pod) && AgentNode.RestartCount(p[0]) >= 1 && AgentNode.Phase(p[0]) == "Running" && IsReady(p[0]),
            "the same pod restarted, Running and Ready"))[0];
        Assert.NotNull(AgentNode.ContainerStatus(restarted)!["lastState"]!["terminated"]);
        var running = Assert.Single(await ContainersAsync(ns), c => c.State == "running");
        Assert.NotEqual(container.ID, running.ID);
        Assert.Equal(Uid(pod), running.Labels[ContainerLabels.PodUid]);
    }

    [DockerFact]
    public async Task Deleting_the_deployment_leaves_no_container_replica_set_or_pod_behind()
    {
        var ns = await NewNamespaceAsync("e2e-delete");
        await ApplyAsync(ns, DeploymentYaml("web", "orchestrator/busybox:latest", 2));
        await RolloutStatusAsync(ns, "web");
        var pods = await WaitForPodsAsync(ns, "web", p => p.Count == 2 && p.All(IsReady), "2 Ready pods");
        await AssertBackedByRunningContainersAsync(ns, pods);

        (await Agent.Kubectl.RunAsync($"delete deployment web -n {ns}")).EnsureSuccess();

        await Poll.Until(async () => (await ContainersAsync(ns)).Count == 0 && (await ContainersAsync(ns, ContainerLabels.SandboxKind)).Count == 0,
            Convergence, "every container of the deployment's pods to be removed from Docker");
        await Poll.Until(async () => (await ListAsync($"/apis/apps/v1/namespaces/{ns}/replicasets")).Count == 0 && (await ListAsync($"/api/v1/namespaces/{ns}/pods")).Count == 0,
            Convergence, "no ReplicaSet and no pod left in the API");
    }
}

/// <summary>
/// The API's watch stream (<c>?watch=1</c>) on a deployment's pods, from a list's resourceVersion:
/// after every event it counts the Ready pods (not being deleted) and keeps the lowest count seen.
/// </summary>
internal sealed class PodWatch : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, JsonObject> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private Task _reader = Task.CompletedTask;
    private Exception? _failure;

    private PodWatch(HttpClient http) => _http = http;

    public int Events { get; private set; }
    public int MinReady { get; private set; } = int.MaxValue;
    public int MinReadyEvent { get; private set; }
    public string MinReadySnapshot { get; private set; } = "";

    public static async Task<PodWatch> StartAsync(NodeProcess node, string ns, string app)
    {
        var http = node.CreateHttpClient(timeout: Timeout.InfiniteTimeSpan);
        var watch = new PodWatch(http);
        var list = (await http.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/{ns}/pods?labelSelector=app%3D{app}"))!;
        foreach (var pod in list["items"]!.AsArray().OfType<JsonObject>()) watch._pods[pod["metadata"]!["name"]!.GetValue<string>()] = pod;
        watch.Evaluate();
        var rv = list["metadata"]!["resourceVersion"]!.GetValue<string>();
        var response = await http.GetAsync($"/api/v1/namespaces/{ns}/pods?watch=1&labelSelector=app%3D{app}&resourceVersion={rv}",
            HttpCompletionOption.ResponseHeadersRead, watch._stop.Token);
        response.EnsureSuccessStatusCode();
        watch._reader = watch.ReadAsync(response);
        return watch;
    }

    private async Task ReadAsync(HttpResponseMessage response)
    {
        try
        {
            using (response)
            using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token)))
            {
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.Length == 0) continue;
                    var e = JsonNode.Parse(line)!.AsObject();
                    var type = e["type"]!.GetValue<string>();
                    if (type == "ERROR") throw new InvalidOperationException("the watch failed: " + line);
                    var pod = e["object"]!.AsObject();
                    var name = pod["metadata"]!["name"]!.GetValue<string>();
                    lock (_gate)
                    {
                        if (type == "DELETED") _pods.Remove(name);
                        else _pods[name] = pod;
                        Events++;
                        Evaluate();
                    }
                }
            }
            throw new InvalidOperationException("the watch ended early");
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    private void Evaluate()
    {
        var ready = _pods.Values.Count(IsReady);
        if (ready >= MinReady) return;
        MinReady = ready;
        MinReadyEvent = Events;
        MinReadySnapshot = string.Join('\n', _pods.Values.Select(p =>
            $"{p["metadata"]!["name"]} ready={IsReady(p)} deleting={p["metadata"]!["deletionTimestamp"] is not null} image={p["spec"]!["containers"]![0]!["image"]}"));
    }

    private static bool IsReady(JsonObject pod) =>
        pod["metadata"]?["deletionTimestamp"] is null
        && pod["status"]?["conditions"]?.AsArray().Any(c => c?["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True") == true;

    /// <summary>Waits until the watched pods satisfy <paramref name="condition"/>.</summary>
    public Task WaitUntilAsync(Func<IReadOnlyDictionary<string, JsonObject>, bool> condition, TimeSpan timeout) =>
        Poll.Until(() =>
        {
            if (_failure is not null) throw new InvalidOperationException("the pod watch failed", _failure);
            lock (_gate) return condition(_pods);
        }, timeout, "the watched pods to converge", detail: () =>
        {
            lock (_gate) return $"seen:\n{string.Join('\n', _pods.Values.Select(p => p.ToJsonString()))}";
        });

    public void Stop()
    {
        _stop.Cancel();
        if (_failure is not null) throw new InvalidOperationException("the pod watch failed", _failure);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _http.Dispose();
        _stop.Dispose();
    }
}
