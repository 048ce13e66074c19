using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Pod volumes on the real engine, through the real kubectl: busybox containers read the files of
/// configMap, secret and downwardAPI volumes, share an emptyDir, see a ConfigMap's new data after
/// <c>kubectl apply</c> (except under subPath), and a pod whose ConfigMap is missing waits with a
/// FailedMount event and starts by itself once the ConfigMap is created.
/// </summary>
public sealed class VolumeTests(AgentNodeFixture fixture) : IClassFixture<AgentNodeFixture>
{
    private AgentNode Agent => fixture.Agent;

    private async Task<string> Exec(string pod, string container, string command) =>
        (await Agent.Kubectl.RunAsync($"exec {pod} -c {container} -- sh -c '{command}'")).EnsureSuccess().Stdout.Trim();

    private async Task Apply(string yaml) => (await Agent.Kubectl.RunAsync("apply -f -", yaml)).EnsureSuccess();

    private static string ConfigMap(string greeting) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-config
        data:
          greeting: {greeting}
          other: unchanged
        """;

    [DockerFact]
    public async Task Containers_read_projected_files_share_an_empty_dir_and_see_a_config_map_update()
    {
        await Apply(ConfigMap("hello-v1"));
        (await Agent.Kubectl.RunAsync("create secret generic app-secret --from-literal=password=s3cret-value")).EnsureSuccess();
        await Agent.CreateBoundPodAsync("mounts", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: mounts
              labels: {app: mounts, tier: test}
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - {name: cfg, configMap: {name: app-config}}
              - {name: sec, secret: {secretName: app-secret, defaultMode: 0400}}
              - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}, {path: name, fieldRef: {fieldPath: metadata.name}}]}}
              - {name: shared, emptyDir: {}}
              - {name: ram, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
              containers:
              - name: writer
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "echo from-writer > /shared/note; sleep 3600"]
                env:
                - {name: PASSWORD, valueFrom: {secretKeyRef: {name: app-secret, key: password}}}
                volumeMounts:
                - {name: shared, mountPath: /shared}
                - {name: cfg, mountPath: /etc/cfg}
                - {name: cfg, mountPath: /etc/greeting.txt, subPath: greeting}
                - {name: sec, mountPath: /etc/sec}
                - {name: info, mountPath: /etc/info}
                - {name: ram, mountPath: /ram}
              - name: reader
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "sleep 3600"]
                volumeMounts:
                - {name: shared, mountPath: /data, readOnly: true}
            """);
        await Agent.WaitForPodAsync("mounts", p => AgentNode.Phase(p) == "Running"
            && (p["status"]?["containerStatuses"] as JsonArray)?.All(c => c?["ready"]?.GetValue<bool>() == true) == true);

        Assert.Equal("hello-v1", await Exec("mounts", "writer", "cat /etc/cfg/greeting"));
        Assert.Equal("hello-v1", await Exec("mounts", "writer", "cat /etc/greeting.txt"));
        Assert.Equal("s3cret-value", await Exec("mounts", "writer", "cat /etc/sec/password"));
        Assert.Equal("s3cret-value", await Exec("mounts", "writer", "echo $PASSWORD"));
        Assert.Equal("400", await Exec("mounts", "writer", "stat -L -c %a /etc/sec/password"));
        Assert.Equal("app=\"mounts\"\ntier=\"test\"", await Exec("mounts", "writer", "cat /etc/info/labels; echo"));
        Assert.Equal("mounts", await Exec("mounts", "writer", "cat /etc/info/name"));
        Assert.Contains("tmpfs", await Exec("mounts", "writer", "grep /ram /proc/mounts"));
        await Poll.Until(async () => await Exec("mounts", "reader", "cat /data/note 2>/dev/null || true") == "from-writer",
            TimeSpan.FromSeconds(30), "the reader to see the writer's file in the shared emptyDir");
        var readOnly = await Agent.Kubectl.RunAsync("exec mounts -c reader -- sh -c 'echo x > /data/other'");
        Assert.NotEqual(0, readOnly.ExitCode);
        var configReadOnly = await Agent.Kubectl.RunAsync("exec mounts -c writer -- sh -c 'echo x > /etc/cfg/new'");
        Assert.NotEqual(0, configReadOnly.ExitCode);

        await Apply(ConfigMap("hello-v2"));
        await Poll.Until(async () => await Exec("mounts", "writer", "cat /etc/cfg/greeting") == "hello-v2",
            TimeSpan.FromSeconds(30), "the ConfigMap's new data in the running container");
        Assert.Equal("unchanged", await Exec("mounts", "writer", "cat /etc/cfg/other"));
        Assert.Equal("hello-v1", await Exec("mounts", "writer", "cat /etc/greeting.txt")); // subPath: not updated, as in Kubernetes
        Assert.Equal(0, AgentNode.RestartCount(await Agent.GetPodAsync("mounts")));

        var uid = (await Agent.GetPodAsync("mounts"))["metadata"]!["uid"]!.GetValue<string>();
        var volumes = Path.Combine(Agent.Node.DataDir, "pods", uid);
        Assert.True(Directory.Exists(volumes), $"no volumes at {volumes}");
        (await Agent.Kubectl.RunAsync("delete pod mounts --wait=true --timeout=60s")).EnsureSuccess();
        await Poll.Until(() => !Directory.Exists(volumes), TimeSpan.FromSeconds(30), "the pod's volumes to be removed with it");
    }

    [DockerFact]
    public async Task A_pod_whose_config_map_is_missing_waits_with_a_failed_mount_event_and_starts_once_it_exists()
    {
        await Agent.CreateBoundPodAsync("late-config", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: late-config
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - {name: cfg, configMap: {name: late-config}}
              containers:
              - name: main
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "cat /etc/cfg/key; echo; sleep 3600"]
                volumeMounts:
                - {name: cfg, mountPath: /etc/cfg}
            """);
        await Agent.WaitForPodAsync("late-config", p => AgentNode.WaitingReason(p) == "ContainerCreating"
            && AgentNode.ContainerStatus(p)?["state"]?["waiting"]?["message"]?.GetValue<string>()?.Contains("configmap \"late-config\" not found", StringComparison.Ordinal) == true);
        Assert.Empty(await Agent.ContainersOfAsync("late-config"));
        await Poll.Until(async () => (await Agent.Kubectl.RunAsync("get events")).Stdout.Split('\n').Any(l => l.Contains("FailedMount", StringComparison.Ordinal) && l.Contains("late-config", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "a FailedMount event");

        (await Agent.Kubectl.RunAsync("create configmap late-config --from-literal=key=arrived")).EnsureSuccess();
        await Agent.WaitForPodAsync("late-config", p => AgentNode.Phase(p) == "Running");
        await Poll.Until(async () => (await Agent.Kubectl.RunAsync("logs late-config")).Stdout.Contains("arrived", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the container to read the ConfigMap");
        (await Agent.Kubectl.RunAsync("delete pod late-config --wait=false")).EnsureSuccess();
    }
}
