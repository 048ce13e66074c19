using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.NodeAgent.Sync;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// The warm sandbox pool on the real engine: never hands a spare out twice, is adopted again by a
/// new pool (a restarted agent), collects stopped and surplus spares; and a node with a pool runs
/// pods in spares, keeps them across kill -9, and removes them with their pods.
/// </summary>
public sealed class SandboxPoolTests : IAsyncLifetime
{
    private readonly DockerContainerRuntime _runtime = new(new DockerRuntimeOptions("test-" + Guid.NewGuid().ToString("N")[..8]));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));

    [DockerFact]
    public async Task A_spare_is_handed_out_once_and_a_handed_out_spare_is_not_offered_again_by_a_refill()
    {
        var pool = new SandboxPool(_runtime, 2, NullLogger.Instance);
        Assert.Null(pool.TryTake()); // nothing before the first refill (which adopts what is there)
        await pool.RefillAsync(_timeout.Token);

        var first = pool.TryTake();
        var second = pool.TryTake();
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Null(pool.TryTake());

        // Neither has a container in it yet: a refill must still not offer them again.
        await pool.RefillAsync(_timeout.Token);
        var refilled = new[] { pool.TryTake(), pool.TryTake() };
        Assert.All(refilled, s => Assert.NotNull(s));
        Assert.DoesNotContain(refilled, s => s!.Id == first.Id || s.Id == second.Id);
    }

    [DockerFact]
    public async Task A_new_pool_adopts_free_spares_skips_joined_ones_and_removes_stopped_and_surplus_ones()
    {
        var before = new SandboxPool(_runtime, 3, NullLogger.Instance);
        await before.RefillAsync(_timeout.Token);
        var joined = before.TryTake()!;
        var pod = new PodIdentity("default", "joined", Guid.NewGuid().ToString());
        await _runtime.CreateContainerAsync(joined.For(pod), new ContainerConfig("main", "orchestrator/busybox:latest", Command: ["sleep", "3600"]), _timeout.Token);
        await before.RefillAsync(_timeout.Token);
        var free = (await _runtime.ListFreeSpareSandboxesAsync(_timeout.Token)).Select(s => s.Id).ToList();
        Assert.Equal(3, free.Count);
        await _runtime.StopContainerAsync(free[0], TimeSpan.Zero, _timeout.Token);

        // "Restart": a new pool of a smaller size over the same engine.
        var after = new SandboxPool(_runtime, 1, NullLogger.Instance);
        await after.RefillAsync(_timeout.Token);

        var spares = (await _runtime.ListContainersAsync(new Dictionary<string, string> { [ContainerLabels.Spare] = "true" }, _timeout.Token)).Select(c => c.Id).ToList();
        Assert.Contains(joined.Id, spares);                 // the pod's, untouched
        Assert.DoesNotContain(free[0], spares);             // stopped: removed
        Assert.Equal(2, spares.Count);                      // one free kept (size 1), the surplus removed
        var adopted = after.TryTake();
        Assert.NotNull(adopted);
        Assert.Contains(adopted.Id, free);                  // adopted, not a new one
        Assert.NotEqual(joined.Id, adopted.Id);
    }

    [DockerFact]
    public async Task With_a_pool_a_pod_runs_in_a_spare_keeps_it_across_kill_9_and_removes_it_when_deleted()
    {
        await using var agent = await AgentNode.StartAsync(extraConfig: "orchestrator.node-agent.sandbox-pool-size = 2");
        await Poll.Until(async () => (await agent.Runtime.ListFreeSpareSandboxesAsync(CancellationToken.None)).Count == 2, TimeSpan.FromSeconds(120), "the pool to fill");
        await agent.CreateBoundPodAsync("pooled", """
            apiVersion: v1
            kind: Pod
            metadata: {name: pooled}
            spec:
              terminationGracePeriodSeconds: 1
              dnsPolicy: Default   # spares carry the engine's DNS: ClusterFirst pods get a sandbox of their own
              containers:
              - {name: main, image: "orchestrator/busybox:latest", imagePullPolicy: IfNotPresent, command: ["sleep", "3600"]}
            """);
        var pod = await agent.WaitForPodAsync("pooled", p => AgentNode.Phase(p) == "Running" && p["status"]?["podIP"] is not null);
        var containers = await agent.ContainersOfAsync("pooled");
        var sandbox = Assert.Single(containers, c => c.Kind == ContainerKind.Sandbox);
        Assert.Equal("true", sandbox.Labels[ContainerLabels.Spare]);
        Assert.Equal(sandbox.IpAddress, pod["status"]!["podIP"]!.GetValue<string>());
        var ids = containers.Select(c => c.Id).Order().ToList();
        // The pool is topped up again, without the spare the pod has.
        await Poll.Until(async () => (await agent.Runtime.ListFreeSpareSandboxesAsync(CancellationToken.None)) is { Count: 2 } free && free.All(s => s.Id != sandbox.Id), TimeSpan.FromSeconds(90), "the pool to refill");

        await agent.KillAsync();
        await agent.StartProcessAsync();
        await agent.WaitForPodAsync("pooled", p => AgentNode.Phase(p) == "Running");
        // Adopted: the same containers; the pod's spare is not taken for the pool, nor the pool's spares for anyone.
        Assert.Equal(ids, (await agent.ContainersOfAsync("pooled")).Select(c => c.Id).Order().ToList());
        var allSpares = await agent.Runtime.ListContainersAsync(new Dictionary<string, string> { [ContainerLabels.Spare] = "true" }, CancellationToken.None);
        Assert.Equal(3, allSpares.Count);

        (await agent.Kubectl.RunAsync("delete pod pooled --timeout=90s", timeout: TimeSpan.FromSeconds(100))).EnsureSuccess();
        await Poll.Until(async () => !(await agent.Runtime.ListContainersAsync(new Dictionary<string, string>(), CancellationToken.None)).Any(c => c.Id == sandbox.Id), TimeSpan.FromSeconds(60), "the pod's spare to be removed");
        Assert.Empty(await agent.ContainersOfAsync("pooled"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var c in await _runtime.ListContainersAsync(new Dictionary<string, string>(), cleanup.Token))
            await _runtime.RemoveContainerAsync(c.Id, cleanup.Token);
        _runtime.Dispose();
        _timeout.Dispose();
    }
}
