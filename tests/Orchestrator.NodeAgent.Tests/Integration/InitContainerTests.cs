using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Init containers on the real engine, through the real kubectl: they run in order, each to
/// success, before the app container, and <c>kubectl get pods</c> shows their progress as
/// Kubernetes does (<c>Init:0/2</c>, <c>Init:Error</c>).
/// </summary>
public sealed class InitContainerTests(AgentNodeFixture fixture) : IClassFixture<AgentNodeFixture>
{
    private AgentNode Agent => fixture.Agent;

    private async Task<string> StatusColumn(string pod)
    {
        var line = (await Agent.Kubectl.RunAsync($"get pod {pod} --no-headers")).EnsureSuccess().Stdout.Trim();
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
    }

    [DockerFact]
    public async Task Init_containers_run_in_order_before_the_app_and_kubectl_shows_their_progress()
    {
        // The first init container waits for a file the test puts there, so Init:0/2 can be seen.
        await Agent.CreateBoundPodAsync("inits", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: inits
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - {name: shared, emptyDir: {}}
              initContainers:
              - name: first
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "until [ -f /shared/go ]; do sleep 0.2; done; echo first >> /shared/order"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              - name: second
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "echo second >> /shared/order"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              containers:
              - name: app
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "echo app >> /shared/order; sleep 3600"]
                volumeMounts: [{name: shared, mountPath: /shared}]
            """);
        await Poll.Until(async () => await StatusColumn("inits") == "Init:0/2", TimeSpan.FromSeconds(60), "kubectl to show Init:0/2");
        Assert.DoesNotContain(await Agent.ContainersOfAsync("inits"), c => c.Name is "second" or "app");

        (await Agent.Kubectl.RunAsync("exec inits -c first -- touch /shared/go")).EnsureSuccess();
        await Agent.WaitForPodAsync("inits", p => AgentNode.Phase(p) == "Running" && AgentNode.ContainerStatus(p)?["ready"]?.GetValue<bool>() == true);

        var order = (await Agent.Kubectl.RunAsync("exec inits -c app -- cat /shared/order")).EnsureSuccess().Stdout.Trim();
        Assert.Equal("first\nsecond\napp", order.ReplaceLineEndings("\n"));
        Assert.Equal("Running", await StatusColumn("inits"));
        var pod = await Agent.GetPodAsync("inits");
        var inits = pod["status"]!["initContainerStatuses"]!.AsArray();
        Assert.Equal(["first", "second"], inits.Select(s => s!["name"]!.GetValue<string>()));
        Assert.All(inits, s => Assert.Equal("Completed", s!["state"]!["terminated"]!["reason"]!.GetValue<string>()));
        (await Agent.Kubectl.RunAsync("delete pod inits --wait=false")).EnsureSuccess();
    }

    [DockerFact]
    public async Task Under_restartPolicy_Never_a_failing_init_container_fails_the_pod_with_Init_Error()
    {
        await Agent.CreateBoundPodAsync("init-fails", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: init-fails
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              initContainers:
              - name: check
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "exit 3"]
              containers:
              - name: app
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            """);
        var pod = await Agent.WaitForPodAsync("init-fails", p => AgentNode.Phase(p) == "Failed");
        Assert.Equal(3, pod["status"]!["initContainerStatuses"]![0]!["state"]!["terminated"]!["exitCode"]!.GetValue<int>());
        Assert.Equal("Init:Error", await StatusColumn("init-fails"));
        Assert.DoesNotContain(await Agent.ContainersOfAsync("init-fails"), c => c.Name == "app");
        (await Agent.Kubectl.RunAsync("delete pod init-fails --wait=false")).EnsureSuccess();
    }
}
