using Orchestrator.Runtime;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests;

/// <summary>Spare sandboxes: started before their pod, owned through the app containers that join them.</summary>
public sealed class SpareSandboxTests(ITestOutputHelper output) : RuntimeTestBase(output)
{
    [DockerFact]
    public async Task A_spare_is_free_until_an_app_container_joins_it_then_it_is_the_pods_sandbox_and_goes_with_it()
    {
        var spare = await Runtime.RunSpareSandboxAsync(Ct);
        Assert.False(string.IsNullOrEmpty(spare.PodIp));
        Assert.Contains(await Runtime.ListFreeSpareSandboxesAsync(Ct), s => s.Id == spare.Id);

        var pod = NewPod("in-spare");
        var app = await RunAsync(spare.For(pod), "main", "sleep", "3600");

        Assert.DoesNotContain(await Runtime.ListFreeSpareSandboxesAsync(Ct), s => s.Id == spare.Id);
        var listed = await Runtime.ListContainersAsync(new Dictionary<string, string> { [ContainerLabels.PodUid] = pod.Uid }, Ct);
        var sandbox = Assert.Single(listed, c => c.Kind == ContainerKind.Sandbox);
        Assert.Equal(spare.Id, sandbox.Id);
        Assert.Equal(pod, sandbox.Pod);
        Assert.Equal(spare.PodIp, PodSandbox.FromStatus(sandbox)!.PodIp);
        var details = await Runtime.InspectContainerAsync(app, Ct);
        Assert.Equal($"container:{spare.Id}", details.NetworkMode);
        Assert.Equal(spare.Id, details.Status.Labels[ContainerLabels.SandboxId]);

        await Runtime.RemovePodSandboxAsync(spare.Id, Ct);
        Assert.Empty(await Runtime.ListContainersAsync(new Dictionary<string, string>(), Ct));
    }

    [DockerFact]
    public async Task A_free_spare_that_stopped_is_removed_when_free_spares_are_listed()
    {
        var stopped = await Runtime.RunSpareSandboxAsync(Ct);
        var running = await Runtime.RunSpareSandboxAsync(Ct);
        await Runtime.StopContainerAsync(stopped.Id, TimeSpan.Zero, Ct);

        var free = await Runtime.ListFreeSpareSandboxesAsync(Ct);

        Assert.Equal([running.Id], free.Select(s => s.Id));
        Assert.DoesNotContain(await Runtime.ListContainersAsync(new Dictionary<string, string>(), Ct), c => c.Id == stopped.Id);
    }

    [DockerFact]
    public async Task An_app_container_can_be_created_before_its_sandbox_starts_and_runs_in_its_network()
    {
        var pod = NewPod("ahead");
        var config = new PodSandboxConfig(pod, []);
        var sandboxId = await Runtime.CreatePodSandboxAsync(config, Ct);
        var app = await Runtime.CreateContainerAsync(sandboxId, pod, new ContainerConfig("main", Busybox, Command: ["sleep", "3600"]), Ct);

        var sandbox = await Runtime.StartPodSandboxAsync(sandboxId, config, Ct);
        await Runtime.StartContainerAsync(app, Ct);

        var details = await Runtime.InspectContainerAsync(app, Ct);
        Assert.Equal(ContainerState.Running, details.Status.State);
        Assert.Equal($"container:{sandbox.Id}", details.NetworkMode);
        var ip = await Runtime.ExecAsync(app, ["hostname", "-i"], TimeSpan.FromSeconds(30), Ct);
        Assert.Contains(sandbox.PodIp, ip.Stdout, StringComparison.Ordinal);
    }
}
