using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Pods created with the real kubectl, bound to the node of a real node process, run as real
/// Docker containers; status, logs, probes, restarts, bad input and deletion as Kubernetes shows them.
/// </summary>
public sealed class PodLifecycleTests(AgentNodeFixture fixture) : IClassFixture<AgentNodeFixture>
{
    private AgentNode Agent => fixture.Agent;

    private static string PodYaml(string name, string image, string command, string extra = "", string containerExtra = "") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        spec:
          terminationGracePeriodSeconds: 5
        {extra}
          containers:
          - name: main
            image: {image}
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "{command}"]
        {containerExtra}
        """;

    [DockerFact]
    public async Task A_pod_runs_with_its_pod_IP_host_port_env_and_logs_and_the_node_is_ready()
    {
        var port = FreePorts.Next();
        (await Agent.Kubectl.RunAsync("create configmap greeting --from-literal=text=hello-from-configmap")).EnsureSuccess();
        await Agent.CreateBoundPodAsync("web", PodYaml("web", "orchestrator/busybox:latest",
            "echo $GREETING; mkdir -p /www; echo served-by-pod > /www/index.html; exec httpd -f -p 80 -h /www",
            containerExtra: $"""
                    ports:
                    - containerPort: 80
                      hostPort: {port}
                    env:
                    - name: GREETING
                      valueFrom:
                        configMapKeyRef: {"{"}name: greeting, key: text{"}"}
                    readinessProbe:
                      httpGet: {"{"}path: /, port: 80{"}"}
                      periodSeconds: 1
                """));

        var pod = await Agent.WaitForPodAsync("web", p => AgentNode.Phase(p) == "Running" && p["status"]?["conditions"]?.AsArray()
            .Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True") == true);
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", pod["status"]!["podIP"]!.GetValue<string>());
        Assert.NotNull(pod["status"]!["hostIP"]);
        Assert.True(AgentNode.ContainerStatus(pod)!["ready"]!.GetValue<bool>());

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("served-by-pod", (await http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());

        var logs = (await Agent.Kubectl.RunAsync("logs web")).EnsureSuccess().Stdout;
        Assert.Contains("hello-from-configmap", logs, StringComparison.Ordinal);

        var nodes = (await Agent.Kubectl.RunAsync("get nodes -o wide")).EnsureSuccess().Stdout;
        Assert.Matches($@"{Agent.NodeName}\s+Ready", nodes);
        Assert.Contains("docker://", nodes, StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task Kubectl_logs_follow_streams_new_lines()
    {
        await Agent.CreateBoundPodAsync("ticker", PodYaml("ticker", "orchestrator/busybox:latest", "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done"));
        await Agent.WaitForPodAsync("ticker", p => AgentNode.Phase(p) == "Running");
        using var watch = Agent.Kubectl.Watch("logs -f ticker");
        await watch.WaitForLine(TimeSpan.FromSeconds(30), "tick-1");
        await watch.WaitForLine(TimeSpan.FromSeconds(30), "tick-15");
    }

    [DockerFact]
    public async Task A_failing_liveness_probe_restarts_the_container()
    {
        await Agent.CreateBoundPodAsync("unhealthy", PodYaml("unhealthy", "orchestrator/busybox:latest", "sleep 3600",
            containerExtra: """
                    livenessProbe:
                      exec: {command: ["cat", "/tmp/healthy"]}
                      periodSeconds: 1
                      failureThreshold: 1
                """));
        var pod = await Agent.WaitForPodAsync("unhealthy", p => AgentNode.RestartCount(p) >= 2, TimeSpan.FromSeconds(120));
        Assert.NotNull(AgentNode.ContainerStatus(pod)!["lastState"]!["terminated"]);
        // Only the current run and the one before it are kept.
        Assert.True((await Agent.ContainersOfAsync("unhealthy")).Count(c => c.Kind == ContainerKind.App) <= 2);
    }

    [DockerFact]
    public async Task An_image_that_cannot_be_pulled_shows_ErrImagePull_then_ImagePullBackOff()
    {
        await Agent.CreateBoundPodAsync("no-image", PodYaml("no-image", "orchestrator/does-not-exist:1.0", "true"));
        var pulled = await Agent.WaitForPodAsync("no-image", p => AgentNode.WaitingReason(p) == "ErrImagePull");
        Assert.False(string.IsNullOrEmpty(AgentNode.ContainerStatus(pulled)!["state"]!["waiting"]!["message"]?.GetValue<string>()));
        await Agent.WaitForPodAsync("no-image", p => AgentNode.WaitingReason(p) == "ImagePullBackOff");
        Assert.Equal("Pending", AgentNode.Phase(await Agent.GetPodAsync("no-image")));
    }

    [DockerFact]
    public async Task A_container_that_keeps_exiting_goes_into_CrashLoopBackOff_with_growing_restart_count()
    {
        await Agent.CreateBoundPodAsync("crasher", PodYaml("crasher", "orchestrator/busybox:latest", "echo crashing; exit 3"));
        var pod = await Agent.WaitForPodAsync("crasher", p => AgentNode.WaitingReason(p) == "CrashLoopBackOff" && AgentNode.RestartCount(p) >= 1);
        Assert.Equal(3, AgentNode.ContainerStatus(pod)!["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
        Assert.Contains("crashing", (await Agent.Kubectl.RunAsync("logs crasher --previous")).EnsureSuccess().Stdout, StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task Restart_policy_Never_ends_the_pod_Succeeded_or_Failed()
    {
        await Agent.CreateBoundPodAsync("once-ok", PodYaml("once-ok", "orchestrator/busybox:latest", "exit 0", extra: "  restartPolicy: Never"));
        await Agent.CreateBoundPodAsync("once-bad", PodYaml("once-bad", "orchestrator/busybox:latest", "exit 1", extra: "  restartPolicy: OnFailure\n  activeDeadlineSeconds: 600").Replace("OnFailure", "Never", StringComparison.Ordinal));
        await Agent.WaitForPodAsync("once-ok", p => AgentNode.Phase(p) == "Succeeded");
        var failed = await Agent.WaitForPodAsync("once-bad", p => AgentNode.Phase(p) == "Failed");
        Assert.Equal(0, AgentNode.RestartCount(failed));
    }

    [DockerFact]
    public async Task Bad_input_gets_a_clear_status()
    {
        var port = FreePorts.Next();
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, port);
        squatter.Start();
        await Agent.CreateBoundPodAsync("no-command", PodYaml("no-command", "orchestrator/busybox:latest", "x").Replace("""command: ["sh", "-c", "x"]""", """command: ["/no/such/binary"]""", StringComparison.Ordinal));
        await Agent.CreateBoundPodAsync("port-taken", PodYaml("port-taken", "orchestrator/busybox:latest", "sleep 3600",
            containerExtra: $"""
                    ports:
                    - containerPort: 80
                      hostPort: {port}
                """));
        await Agent.CreateBoundPodAsync("tiny-memory", PodYaml("tiny-memory", "orchestrator/busybox:latest", "sleep 3600",
            containerExtra: """
                    resources:
                      limits: {memory: 1Mi}
                """));

        var noCommand = await Agent.WaitForPodAsync("no-command", p => AgentNode.WaitingReason(p) is "RunContainerError" or "CrashLoopBackOff");
        Assert.Contains("no/such/binary", noCommand.ToJsonString(), StringComparison.Ordinal);
        var portTaken = await Agent.WaitForPodAsync("port-taken", p => AgentNode.WaitingReason(p) == "CreatePodSandboxError");
        Assert.Contains("in use", AgentNode.ContainerStatus(portTaken)!["state"]!["waiting"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var tiny = await Agent.WaitForPodAsync("tiny-memory", p => AgentNode.WaitingReason(p) == "CreateContainerError");
        Assert.False(string.IsNullOrEmpty(AgentNode.ContainerStatus(tiny)!["state"]!["waiting"]!["message"]?.GetValue<string>()));
        // The node goes on serving pods.
        Assert.Matches($@"{Agent.NodeName}\s+Ready", (await Agent.Kubectl.RunAsync("get nodes")).EnsureSuccess().Stdout);
    }

    [DockerFact]
    public async Task Deleting_a_pod_stops_and_removes_its_containers_then_the_pod()
    {
        await Agent.CreateBoundPodAsync("doomed", PodYaml("doomed", "orchestrator/busybox:latest", "sleep 3600"));
        await Agent.WaitForPodAsync("doomed", p => AgentNode.Phase(p) == "Running");
        Assert.NotEmpty(await Agent.ContainersOfAsync("doomed"));

        (await Agent.Kubectl.RunAsync("delete pod doomed --timeout=90s", timeout: TimeSpan.FromSeconds(100))).EnsureSuccess();

        Assert.Empty(await Agent.ContainersOfAsync("doomed"));
        Assert.Contains("NotFound", (await Agent.Kubectl.RunAsync("get pod doomed")).Stderr, StringComparison.Ordinal);
    }
}
