using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Container resources on the real engine: limits and the cpu request reach the container's
/// cgroup (read from inside it), the QoS class is in the status, and a container allocating past
/// its memory limit is OOMKilled.
/// </summary>
public sealed class ResourceTests(AgentNodeFixture fixture) : IClassFixture<AgentNodeFixture>
{
    private AgentNode Agent => fixture.Agent;

    [DockerFact]
    public async Task Limits_and_the_cpu_request_reach_the_cgroup_and_the_pod_is_Burstable()
    {
        await Agent.CreateBoundPodAsync("limited", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: limited
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: app
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                resources:
                  requests: {cpu: 250m, memory: 16Mi, ephemeral-storage: 100Mi}
                  limits: {cpu: 500m, memory: 32Mi, ephemeral-storage: 1Gi}
            """);
        await Agent.WaitForPodAsync("limited", p => AgentNode.Phase(p) == "Running");

        // cgroup v1 files, else v2 (where the engine maps shares to a weight: 1 + (shares - 2) * 9999 / 262142).
        var script = "if [ -f /sys/fs/cgroup/cpu/cpu.shares ]; then cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/memory/memory.limit_in_bytes; "
            + "else cat /sys/fs/cgroup/cpu.weight; cut -d\" \" -f1 /sys/fs/cgroup/cpu.max; cat /sys/fs/cgroup/memory.max; fi";
        var values = (await Agent.Kubectl.RunAsync($"exec limited -- sh -c '{script}'")).EnsureSuccess().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(values[0].Trim(), new[] { "256", (1 + (256 - 2) * 9999 / 262142).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal("50000", values[1].Trim());
        Assert.Equal((32 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), values[2].Trim());

        var qos = (await Agent.Kubectl.RunAsync("get pod limited -o jsonpath={.status.qosClass}")).EnsureSuccess().Stdout.Trim();
        Assert.Equal("Burstable", qos);
        (await Agent.Kubectl.RunAsync("delete pod limited --wait=false")).EnsureSuccess();
    }

    [DockerFact]
    public async Task A_container_over_its_memory_limit_is_OOMKilled_and_shows_it_in_its_last_state()
    {
        await Agent.CreateBoundPodAsync("hog", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: hog
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: app
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "head -c 64m /dev/zero | tail"]
                resources:
                  limits: {cpu: 500m, memory: 16Mi}
            """);
        var pod = await Agent.WaitForPodAsync("hog", p =>
            AgentNode.ContainerStatus(p)?["lastState"]?["terminated"]?["reason"]?.GetValue<string>() == "OOMKilled", TimeSpan.FromSeconds(90));
        Assert.Equal(137, AgentNode.ContainerStatus(pod)!["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
        Assert.Equal("Guaranteed", pod["status"]!["qosClass"]!.GetValue<string>());
        Assert.Equal("500m", pod["spec"]!["containers"]![0]!["resources"]!["requests"]!["cpu"]!.GetValue<string>());
        (await Agent.Kubectl.RunAsync("delete pod hog --wait=false")).EnsureSuccess();
    }
}
