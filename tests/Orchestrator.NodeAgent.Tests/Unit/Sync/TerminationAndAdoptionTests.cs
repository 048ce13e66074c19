using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;
using Orchestrator.TestSupport.Runtime;

namespace Orchestrator.NodeAgent.Tests.Unit.Sync;

/// <summary>Graceful termination of a deleted pod, removal of what is not the node's any more, and picking up running pods after an agent restart.</summary>
public sealed class TerminationAndAdoptionTests : IDisposable
{
    private readonly SyncerHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task RunningPod(string name, long graceSeconds = 30)
    {
        _h.AddPod(name, graceSeconds: graceSeconds);
        await _h.Sync(name);
        Assert.Equal(ContainerState.Running, _h.Current(name).State);
    }

    private Task Delete(string name, long? graceSeconds = null) =>
        _h.Store.Delete(PodKind.Instance, SyncerHarness.Ns, name, new DeleteRequest(GracePeriodSeconds: graceSeconds));

    [Fact]
    public async Task A_deleted_pod_gets_SIGTERM_then_SIGKILL_after_its_grace_period_then_is_deleted_for_good()
    {
        _h.Runtime.Program("app", new ContainerProgram { IgnoresSigterm = true });
        await RunningPod("stubborn", graceSeconds: 20);
        var app = _h.Current("stubborn").Id;
        await Delete("stubborn");

        // The fakes answer at once, so the sync is waiting on the grace period's timer when this returns.
        var sync = _h.Sync("stubborn");
        Assert.Single(_h.Runtime.Signals);
        Assert.Equal((app, "SIGTERM"), (_h.Runtime.Signals[0].ContainerId, _h.Runtime.Signals[0].Signal));

        _h.Time.Advance(TimeSpan.FromSeconds(19));
        await Task.Yield();
        Assert.False(sync.IsCompleted);
        Assert.NotNull(_h.Pod("stubborn"));

        _h.Time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await sync.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(outcome.Forget);
        Assert.Equal(["SIGTERM", "SIGKILL"], _h.Runtime.Signals.Select(s => s.Signal));
        Assert.Equal(TimeSpan.FromSeconds(20), _h.Runtime.Signals[1].At - _h.Runtime.Signals[0].At);
        Assert.Empty(_h.Runtime.Containers());
        Assert.Null(_h.Pod("stubborn"));
        Assert.Contains("delete Pod default/stubborn grace=0", _h.Store.Writes);
    }

    [Fact]
    public async Task A_container_that_exits_on_SIGTERM_is_not_killed_and_the_pod_goes_at_once()
    {
        await RunningPod("polite");
        await Delete("polite", graceSeconds: 30);

        var outcome = await _h.Sync("polite");

        Assert.True(outcome.Forget);
        Assert.Equal(["SIGTERM"], _h.Runtime.Signals.Select(s => s.Signal));
        Assert.Empty(_h.Runtime.Containers());
        Assert.Null(_h.Pod("polite"));
    }

    [Fact]
    public async Task Containers_of_a_pod_that_is_gone_or_bound_elsewhere_are_removed()
    {
        await RunningPod("gone");
        await RunningPod("moved");
        await _h.Store.Delete(PodKind.Instance, SyncerHarness.Ns, "gone", new DeleteRequest(GracePeriodSeconds: 0));
        var moved = _h.Pod("moved")!;
        moved["spec"]!["nodeName"] = "node-b";
        _h.Store.Put(PodKind.Instance, moved);

        Assert.True((await _h.Sync("gone")).Forget);
        Assert.True((await _h.Sync("moved")).Forget);

        Assert.Empty(_h.Runtime.Containers());
    }

    [Fact]
    public async Task A_restarted_agent_adopts_running_containers_and_creates_none()
    {
        await RunningPod("adopted");
        _h.Runtime.Exit(_h.Current("adopted").Id, 1);
        await _h.Sync("adopted");
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("adopted");
        var before = _h.Runtime.Containers();
        var created = _h.Runtime.CreatedCount;
        var status = _h.Pod("adopted")!["status"]!.ToJsonString();
        var writes = _h.Store.Writes.Count;

        _h.RestartAgent();
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await _h.Sync("adopted");

        Assert.Equal(created, _h.Runtime.CreatedCount);
        Assert.Equal(before.Select(c => (c.Id, c.State)), _h.Runtime.Containers().Select(c => (c.Id, c.State)));
        Assert.Equal(1, _h.RestartCount("adopted"));
        Assert.Equal(status, _h.Pod("adopted")!["status"]!.ToJsonString());
        Assert.Equal(writes, _h.Store.Writes.Count);
    }

    [Fact]
    public async Task A_restarted_agent_counts_restarts_on_from_the_engine_labels()
    {
        await RunningPod("counted");
        _h.Runtime.Exit(_h.Current("counted").Id, 1);
        await _h.Sync("counted");

        _h.RestartAgent();
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("counted");
        // The new agent knows no backoff: it restarts the exited container once its own backoff is over.
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("counted");

        Assert.Equal(ContainerState.Running, _h.Current("counted").State);
        Assert.Equal(1, _h.RestartCount("counted"));
        Assert.Equal(2, _h.Apps("counted").Count);
    }

    [Fact]
    public async Task A_dead_sandbox_starts_the_pod_over_and_restart_counts_go_on()
    {
        await RunningPod("reborn");
        var sandbox = _h.Runtime.Containers().Single(c => c.Kind == ContainerKind.Sandbox);
        _h.Runtime.Exit(sandbox.Id, 137);

        await _h.Sync("reborn");

        var sandboxes = _h.Runtime.Containers().Where(c => c.Kind == ContainerKind.Sandbox).ToList();
        Assert.Equal(ContainerState.Running, Assert.Single(sandboxes).State);
        Assert.NotEqual(sandbox.Id, sandboxes[0].Id);
        Assert.Equal(ContainerState.Running, Assert.Single(_h.Apps("reborn")).State);
        Assert.Equal(1, _h.RestartCount("reborn"));
    }
}
