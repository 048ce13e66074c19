using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Tests.Unit.Sync;

/// <summary>What the syncer does when a container exits, by restart policy, and how CrashLoopBackOff times the restarts.</summary>
public sealed class RestartPolicyTests : IDisposable
{
    private readonly SyncerHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<ContainerStatus> RunningPod(string name, string policy)
    {
        _h.AddPod(name, policy);
        await _h.Sync(name);
        Assert.Equal("Running", _h.Phase(name));
        return _h.Current(name);
    }

    [Fact]
    public async Task A_first_sync_creates_the_sandbox_and_starts_the_container()
    {
        _h.AddPod("web");
        var outcome = await _h.Sync("web");

        Assert.False(outcome.Forget);
        var sandbox = Assert.Single(_h.Runtime.Containers(), c => c.Kind == ContainerKind.Sandbox);
        Assert.Equal(ContainerState.Running, sandbox.State);
        var app = Assert.Single(_h.Apps("web"));
        Assert.Equal(ContainerState.Running, app.State);
        Assert.Equal(sandbox.Id, app.Labels[ContainerLabels.SandboxId]);
        Assert.Equal("Running", _h.Phase("web"));
        Assert.Equal(sandbox.IpAddress, _h.Pod("web")!["status"]!["podIP"]!.GetValue<string>());
        Assert.True(_h.Ready("web"));
    }

    [Fact]
    public async Task Always_restarts_a_container_that_exited_0_after_the_backoff()
    {
        var first = await RunningPod("always", "Always");
        _h.Runtime.Exit(first.Id, 0);

        var outcome = await _h.Sync("always");
        Assert.Equal("CrashLoopBackOff", _h.WaitingReason("always"));
        Assert.Equal(0, _h.ContainerStatus("always")["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromSeconds(10), outcome.WakeAt);
        Assert.Single(_h.Apps("always"));

        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("always");
        Assert.Equal(2, _h.Apps("always").Count);
        Assert.Equal(ContainerState.Running, _h.Current("always").State);
        Assert.Equal(1, _h.RestartCount("always"));
        Assert.Null(_h.WaitingReason("always"));
        Assert.Equal("Completed", _h.ContainerStatus("always")["lastState"]!["terminated"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_container_killed_over_its_memory_limit_shows_OOMKilled_in_its_last_state_and_is_restarted()
    {
        var first = await RunningPod("hog", "Always");
        _h.Runtime.Exit(first.Id, 137, oomKilled: true);

        await _h.Sync("hog");
        Assert.Equal("CrashLoopBackOff", _h.WaitingReason("hog"));
        var last = _h.ContainerStatus("hog")["lastState"]!["terminated"]!;
        Assert.Equal("OOMKilled", last["reason"]!.GetValue<string>());
        Assert.Equal(137, last["exitCode"]!.GetValue<int>());

        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("hog");
        Assert.Equal(ContainerState.Running, _h.Current("hog").State);
        Assert.Equal("OOMKilled", _h.ContainerStatus("hog")["lastState"]!["terminated"]!["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("OnFailure", 0, "Succeeded")]
    [InlineData("Never", 0, "Succeeded")]
    [InlineData("Never", 1, "Failed")]
    public async Task A_container_its_policy_does_not_restart_stays_exited_and_ends_the_pod(string policy, int exitCode, string phase)
    {
        var first = await RunningPod("done", policy);
        _h.Runtime.Exit(first.Id, exitCode);

        await _h.Sync("done");
        _h.Time.Advance(TimeSpan.FromMinutes(10));
        await _h.Sync("done");

        Assert.Equal(phase, _h.Phase("done"));
        Assert.Single(_h.Apps("done"));
        var terminated = _h.ContainerStatus("done")["state"]!["terminated"]!;
        Assert.Equal(exitCode, terminated["exitCode"]!.GetValue<int>());
        if (exitCode == 0) Assert.Equal("Completed", terminated["reason"]!.GetValue<string>());
        Assert.Equal(0, _h.RestartCount("done"));
    }

    [Fact]
    public async Task OnFailure_restarts_a_container_that_failed()
    {
        var first = await RunningPod("retry", "OnFailure");
        _h.Runtime.Exit(first.Id, 3);

        await _h.Sync("retry");
        Assert.Equal("CrashLoopBackOff", _h.WaitingReason("retry"));
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("retry");

        Assert.Equal(ContainerState.Running, _h.Current("retry").State);
        Assert.Equal(1, _h.RestartCount("retry"));
        Assert.Equal(3, _h.ContainerStatus("retry")["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task CrashLoopBackOff_doubles_the_delay_from_10s_and_holds_the_container_until_it_is_over()
    {
        await RunningPod("crash", "Always");
        foreach (var (delay, run) in new[] { (10, 1), (20, 2), (40, 3), (80, 4) })
        {
            _h.Runtime.Exit(_h.Current("crash").Id, 1);
            var exitedAt = _h.Time.GetUtcNow();

            var outcome = await _h.Sync("crash");
            Assert.Equal(exitedAt + TimeSpan.FromSeconds(delay), outcome.WakeAt);
            Assert.Equal("CrashLoopBackOff", _h.WaitingReason("crash"));
            Assert.Contains($"back-off {delay}s", _h.ContainerStatus("crash")["state"]!["waiting"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

            // A sync one second early starts nothing.
            _h.Time.Advance(TimeSpan.FromSeconds(delay - 1));
            await _h.Sync("crash");
            Assert.Equal(ContainerState.Exited, _h.Current("crash").State);

            _h.Time.Advance(TimeSpan.FromSeconds(1));
            await _h.Sync("crash");
            Assert.Equal(ContainerState.Running, _h.Current("crash").State);
            Assert.Equal(run, _h.RestartCount("crash"));
            // The run that ended stays for logs --previous; older ones are removed.
            Assert.Equal(2, _h.Apps("crash").Count);
        }
    }

    [Fact]
    public async Task A_container_that_ran_10_minutes_starts_its_backoff_over()
    {
        await RunningPod("steady", "Always");
        _h.Runtime.Exit(_h.Current("steady").Id, 1);
        await _h.Sync("steady");
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("steady");
        Assert.Equal(1, _h.RestartCount("steady"));

        _h.Time.Advance(TimeSpan.FromMinutes(10));
        _h.Runtime.Exit(_h.Current("steady").Id, 1);
        var outcome = await _h.Sync("steady");

        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromSeconds(10), outcome.WakeAt);
    }
}
