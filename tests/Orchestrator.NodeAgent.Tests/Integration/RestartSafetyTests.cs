using Orchestrator.Runtime;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>kill -9 of the node process while pods run, then start again: the agent adopts its containers and collects garbage.</summary>
public sealed class RestartSafetyTests
{
    [DockerFact]
    public async Task After_kill_9_the_agent_adopts_its_containers_keeps_restart_counts_and_removes_orphans()
    {
        await using var agent = await AgentNode.StartAsync();
        await agent.CreateBoundPodAsync("steady", """
            apiVersion: v1
            kind: Pod
            metadata: {name: steady}
            spec:
              containers:
              - {name: main, image: "orchestrator/busybox:latest", imagePullPolicy: IfNotPresent, command: ["sleep", "3600"]}
            """);
        await agent.CreateBoundPodAsync("flaky", """
            apiVersion: v1
            kind: Pod
            metadata: {name: flaky}
            spec:
              containers:
              - name: main
                image: "orchestrator/busybox:latest"
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                livenessProbe:
                  exec: {command: ["cat", "/tmp/healthy"]}
                  periodSeconds: 1
                  failureThreshold: 1
            """);
        await agent.WaitForPodAsync("steady", p => AgentNode.Phase(p) == "Running");
        var flaky = await agent.WaitForPodAsync("flaky", p => AgentNode.RestartCount(p) >= 1, TimeSpan.FromSeconds(120));
        var restartsBefore = AgentNode.RestartCount(flaky);
        var steadyBefore = (await agent.ContainersOfAsync("steady")).Select(c => c.Id).Order().ToList();

        await agent.KillAsync();
        // An orphan: containers of a pod the store never heard of, left on this node while it was down.
        var orphan = await agent.Runtime.RunPodSandboxAsync(new PodSandboxConfig(new PodIdentity("default", "orphan", "no-such-uid"), []), CancellationToken.None);
        await agent.StartProcessAsync();

        await Poll.Until(async () => (await agent.ContainersOfAsync("orphan")).Count == 0, TimeSpan.FromSeconds(60), "the orphan to be collected");
        var steadyAfter = (await agent.ContainersOfAsync("steady")).Select(c => c.Id).Order().ToList();
        Assert.Equal(steadyBefore, steadyAfter);
        Assert.Equal(0, AgentNode.RestartCount(await agent.GetPodAsync("steady")));
        var flakyAfter = await agent.WaitForPodAsync("flaky", p => AgentNode.RestartCount(p) >= restartsBefore);
        Assert.True(AgentNode.RestartCount(flakyAfter) >= restartsBefore);
        // Never more than one sandbox per pod, and at most the current and previous run per container.
        Assert.Single(await agent.ContainersOfAsync("steady"), c => c.Kind == ContainerKind.Sandbox);
        Assert.Single(await agent.ContainersOfAsync("steady"), c => c.Kind == ContainerKind.App);
        Assert.True((await agent.ContainersOfAsync("flaky")).Count(c => c.Kind == ContainerKind.App) <= 2);
        _ = orphan;
    }
}
