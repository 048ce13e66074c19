using System.Text.Json.Nodes;
using Orchestrator.Runtime;
using Orchestrator.TestSupport.Runtime;

namespace Orchestrator.NodeAgent.Tests.Unit.Sync;

/// <summary>Readiness and liveness verdicts as the syncer moves them with exec probes, thresholds and periods on the test's clock.</summary>
public sealed class ProbeTransitionTests : IDisposable
{
    private readonly SyncerHarness _h = new();
    private bool _probeSucceeds;
    private int _probes;

    public ProbeTransitionTests() =>
        _h.Runtime.Program("app", new ContainerProgram
        {
            Exec = command =>
            {
                Assert.Equal(["check"], command);
                _probes++;
                return new ExecResult(_probeSucceeds ? 0 : 1, "", "", false);
            },
        });

    public void Dispose() => _h.Dispose();

    private static JsonObject ExecProbe(int period, int failureThreshold, int successThreshold = 1, int initialDelay = 0) => new()
    {
        ["exec"] = new JsonObject { ["command"] = new JsonArray("check") },
        ["periodSeconds"] = period,
        ["failureThreshold"] = failureThreshold,
        ["successThreshold"] = successThreshold,
        ["initialDelaySeconds"] = initialDelay,
    };

    private string? PodReady(string name) =>
        (_h.Pod(name)!["status"]!["conditions"] as JsonArray)!.OfType<JsonObject>().Single(c => c["type"]!.GetValue<string>() == "Ready")["status"]!.GetValue<string>();

    [Fact]
    public async Task Readiness_turns_true_after_successThreshold_successes_and_false_after_failureThreshold_failures()
    {
        _h.AddPod("ready", container: new JsonObject { ["readinessProbe"] = ExecProbe(period: 5, failureThreshold: 2, successThreshold: 2, initialDelay: 3) });
        _probeSucceeds = true;

        var outcome = await _h.Sync("ready");
        Assert.False(_h.Ready("ready"));
        Assert.Equal("False", PodReady("ready"));
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromSeconds(3), outcome.WakeAt);

        // Before the initial delay nothing is probed.
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        await _h.Sync("ready");
        Assert.Equal(0, _probes);

        _h.Time.Advance(TimeSpan.FromSeconds(1));
        outcome = await _h.Sync("ready");
        Assert.Equal(1, _probes);
        Assert.False(_h.Ready("ready"));
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromSeconds(5), outcome.WakeAt);

        // Within the period: no probe.
        _h.Time.Advance(TimeSpan.FromSeconds(4));
        await _h.Sync("ready");
        Assert.Equal(1, _probes);

        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await _h.Sync("ready");
        Assert.Equal(2, _probes);
        Assert.True(_h.Ready("ready"));
        Assert.Equal("True", PodReady("ready"));

        _probeSucceeds = false;
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await _h.Sync("ready");
        Assert.True(_h.Ready("ready"));

        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await _h.Sync("ready");
        Assert.False(_h.Ready("ready"));
        Assert.Equal("False", PodReady("ready"));
        // Readiness never restarts a container.
        Assert.Single(_h.Apps("ready"));
        Assert.Empty(_h.Runtime.Signals);
    }

    [Fact]
    public async Task Liveness_failing_failureThreshold_times_stops_the_container_and_it_is_restarted()
    {
        _h.AddPod("live", container: new JsonObject
        {
            ["livenessProbe"] = ExecProbe(period: 10, failureThreshold: 3),
        });
        _probeSucceeds = true;
        await _h.Sync("live");
        Assert.Equal(0, _probes);
        // No initial delay: the next sync probes.
        await _h.Sync("live");
        var first = _h.Current("live");
        Assert.Equal(1, _probes);
        Assert.True(_h.Ready("live"));

        _probeSucceeds = false;
        for (var i = 0; i < 2; i++)
        {
            _h.Time.Advance(TimeSpan.FromSeconds(10));
            await _h.Sync("live");
            Assert.Equal(ContainerState.Running, _h.Runtime.Containers().Single(c => c.Id == first.Id).State);
        }
        Assert.Empty(_h.Runtime.Signals);

        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("live");
        var signal = Assert.Single(_h.Runtime.Signals);
        Assert.Equal((first.Id, "SIGTERM"), (signal.ContainerId, signal.Signal));
        Assert.Equal(143, _h.Runtime.Containers().Single(c => c.Id == first.Id).ExitCode);
        Assert.Equal("CrashLoopBackOff", _h.WaitingReason("live"));

        _probeSucceeds = true;
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("live");
        Assert.NotEqual(first.Id, _h.Current("live").Id);
        Assert.Equal(ContainerState.Running, _h.Current("live").State);
        Assert.Equal(1, _h.RestartCount("live"));
        Assert.Equal(143, _h.ContainerStatus("live")["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_new_run_starts_its_probes_over()
    {
        _h.AddPod("fresh", container: new JsonObject { ["readinessProbe"] = ExecProbe(period: 5, failureThreshold: 3) });
        _probeSucceeds = true;
        await _h.Sync("fresh");
        await _h.Sync("fresh");
        Assert.True(_h.Ready("fresh"));

        _h.Runtime.Exit(_h.Current("fresh").Id, 1);
        await _h.Sync("fresh");
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        _probeSucceeds = false;
        await _h.Sync("fresh");
        await _h.Sync("fresh");

        // The new run is not ready until its own probe says so: one failure of three would leave the old run's verdict standing.
        Assert.Equal(1, _h.RestartCount("fresh"));
        Assert.Equal(ContainerState.Running, _h.Current("fresh").State);
        Assert.False(_h.Ready("fresh"));
    }
}
