using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// On the real engine, through the real kubectl: a container whose env reads a Secret that does not
/// exist waits with CreateContainerConfigError and kubelet's message, and starts by itself once the
/// Secret is created.
/// </summary>
public sealed class EnvReferenceTests(AgentNodeFixture fixture) : IClassFixture<AgentNodeFixture>
{
    private AgentNode Agent => fixture.Agent;

    [DockerFact]
    public async Task A_missing_secret_of_an_env_var_holds_the_container_until_it_is_created()
    {
        await Agent.CreateBoundPodAsync("needs-secret", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: needs-secret
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: app
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                env:
                - {name: TOKEN, valueFrom: {secretKeyRef: {name: late-secret, key: token}}}
            """);
        var waiting = await Agent.WaitForPodAsync("needs-secret", p => AgentNode.WaitingReason(p) == "CreateContainerConfigError");
        Assert.Equal("secret \"late-secret\" not found", AgentNode.ContainerStatus(waiting)!["state"]!["waiting"]!["message"]!.GetValue<string>());

        (await Agent.Kubectl.RunAsync("create secret generic late-secret --from-literal=token=t0ken")).EnsureSuccess();
        await Agent.WaitForPodAsync("needs-secret", p => AgentNode.Phase(p) == "Running", TimeSpan.FromSeconds(30));
        Assert.Equal("t0ken", (await Agent.Kubectl.RunAsync("exec needs-secret -- sh -c 'echo $TOKEN'")).EnsureSuccess().Stdout.Trim());
        (await Agent.Kubectl.RunAsync("delete pod needs-secret --wait=false")).EnsureSuccess();
    }
}
