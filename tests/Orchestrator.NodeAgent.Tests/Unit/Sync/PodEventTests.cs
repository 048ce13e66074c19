using System.Text.Json.Nodes;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Pods;
using Orchestrator.Runtime;
using Orchestrator.TestSupport.Runtime;

namespace Orchestrator.NodeAgent.Tests.Unit.Sync;

/// <summary>The Events the syncer records about a pod's containers, as kubelet records them, and how repeats are aggregated.</summary>
public sealed class PodEventTests : IDisposable
{
    private readonly SyncerHarness _h = new();

    public void Dispose() => _h.Dispose();

    private List<JsonObject> Events(string pod) =>
        [.. _h.Store.All(EventKind.Instance.Kind)
            .Where(e => e["involvedObject"]!["name"]!.GetValue<string>() == pod)
            .OrderBy(e => e["metadata"]!["name"]!.GetValue<string>(), StringComparer.Ordinal)];

    private static string Reason(JsonObject e) => e["reason"]!.GetValue<string>();

    private static string Message(JsonObject e) => e["message"]!.GetValue<string>();

    private static int Count(JsonObject e) => e["count"]!.GetValue<int>();

    [Fact]
    public async Task A_started_container_has_Pulled_Created_and_Started_from_kubelet_on_the_node_about_the_container()
    {
        _h.AddPod("web");
        await _h.Sync("web");

        var events = Events("web");
        Assert.Equal(["Pulled", "Created", "Started"], events.Select(Reason));
        Assert.Equal($"Container image \"{SyncerHarness.Image}\" already present on machine", Message(events[0]));
        Assert.Equal("Created container: app", Message(events[1]));
        Assert.Equal("Started container app", Message(events[2]));
        Assert.All(events, e =>
        {
            Assert.Equal("Normal", e["type"]!.GetValue<string>());
            Assert.Equal("kubelet", e["source"]!["component"]!.GetValue<string>());
            Assert.Equal(SyncerHarness.Node, e["source"]!["host"]!.GetValue<string>());
            Assert.Equal("spec.containers{app}", e["involvedObject"]!["fieldPath"]!.GetValue<string>());
            Assert.Equal("Pod", e["involvedObject"]!["kind"]!.GetValue<string>());
            Assert.Equal("uid-web", e["involvedObject"]!["uid"]!.GetValue<string>());
            Assert.Equal(1, Count(e));
        });

        // Nothing happened since: another sync records nothing.
        await _h.Sync("web");
        Assert.Equal(3, Events("web").Count);
    }

    [Fact]
    public async Task Pull_policy_Always_records_Pulling_then_Pulled_with_the_time_it_took()
    {
        _h.AddPod("always", container: new JsonObject { ["imagePullPolicy"] = "Always" });
        _h.Runtime.AddToRegistry(SyncerHarness.Image);
        await _h.Sync("always");

        var events = Events("always");
        Assert.Equal(["Pulling", "Pulled", "Created", "Started"], events.Select(Reason));
        Assert.Equal($"Pulling image \"{SyncerHarness.Image}\"", Message(events[0]));
        Assert.StartsWith($"Successfully pulled image \"{SyncerHarness.Image}\" in ", Message(events[1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_loop_keeps_one_BackOff_event_whose_count_grows()
    {
        _h.AddPod("crash");
        await _h.Sync("crash");
        for (var restart = 0; restart < 4; restart++)
        {
            _h.Runtime.Exit(_h.Current("crash").Id, 1);
            await _h.Sync("crash");
            Assert.Equal("CrashLoopBackOff", _h.WaitingReason("crash"));
            _h.Time.Advance(TimeSpan.FromMinutes(5));
            await _h.Sync("crash");
            Assert.Equal(ContainerState.Running, _h.Current("crash").State);
        }

        var events = Events("crash");
        var backOff = Assert.Single(events, e => Reason(e) == "BackOff");
        Assert.Equal("Warning", backOff["type"]!.GetValue<string>());
        Assert.Equal("Back-off restarting failed container app in pod crash_default(uid-crash)", Message(backOff));
        Assert.Equal(4, Count(backOff));
        Assert.NotEqual(backOff["firstTimestamp"]!.GetValue<string>(), backOff["lastTimestamp"]!.GetValue<string>());
        Assert.Equal(5, Count(Assert.Single(events, e => Reason(e) == "Started")));
        Assert.Equal(5, Count(Assert.Single(events, e => Reason(e) == "Created")));
    }

    [Fact]
    public async Task A_failing_liveness_probe_records_Unhealthy_with_the_probe_output_and_Killing()
    {
        _h.Runtime.Program("app", new ContainerProgram { Exec = _ => new ExecResult(1, "", "cat: can't open '/tmp/healthy': No such file or directory\n", false) });
        _h.AddPod("sick", container: new JsonObject
        {
            ["livenessProbe"] = new JsonObject { ["exec"] = new JsonObject { ["command"] = new JsonArray("cat", "/tmp/healthy") }, ["periodSeconds"] = 5, ["failureThreshold"] = 2 },
        });
        await _h.Sync("sick");
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await _h.Sync("sick");
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await _h.Sync("sick");

        var events = Events("sick");
        var unhealthy = Assert.Single(events, e => Reason(e) == "Unhealthy");
        Assert.Equal("Warning", unhealthy["type"]!.GetValue<string>());
        Assert.Equal("Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory", Message(unhealthy));
        Assert.Equal(2, Count(unhealthy));
        var killing = Assert.Single(events, e => Reason(e) == "Killing");
        Assert.Equal("Container app failed liveness probe, will be restarted", Message(killing));
    }

    [Fact]
    public async Task A_failed_pull_records_Failed_with_the_engine_message_then_BackOff()
    {
        _h.AddPod("pull", container: new JsonObject { ["image"] = "orchestrator/missing:1" });
        await _h.Sync("pull");
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await _h.Sync("pull");

        var events = Events("pull");
        Assert.Contains(events, e => Reason(e) == "Failed" && Message(e) == "Failed to pull image \"orchestrator/missing:1\": pull access denied for orchestrator/missing:1, repository does not exist or may require 'docker login'");
        Assert.Contains(events, e => Reason(e) == "Failed" && Message(e) == "Error: ErrImagePull");
        Assert.Contains(events, e => Reason(e) == "BackOff" && Message(e) == "Back-off pulling image \"orchestrator/missing:1\"");
        Assert.Contains(events, e => Reason(e) == "Failed" && Message(e) == "Error: ImagePullBackOff");
    }

    [Fact]
    public async Task A_container_the_engine_refuses_records_Failed_with_the_engine_message()
    {
        _h.Runtime.Program("app", new ContainerProgram { CreateError = "device or resource busy" });
        _h.AddPod("refused");
        await _h.Sync("refused");

        var failed = Assert.Single(Events("refused"), e => Reason(e) == "Failed");
        Assert.Equal("Warning", failed["type"]!.GetValue<string>());
        Assert.Contains("device or resource busy", Message(failed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_the_pod_records_Killing_for_each_running_container()
    {
        _h.AddPod("gone");
        await _h.Sync("gone");
        await _h.Store.Delete(PodKind.Instance, SyncerHarness.Ns, "gone", new Orchestrator.Domain.Resources.DeleteRequest(GracePeriodSeconds: 30));
        await _h.Sync("gone");

        var killing = Assert.Single(Events("gone"), e => Reason(e) == "Killing");
        Assert.Equal("Stopping container app", Message(killing));
    }

    [Fact]
    public async Task Event_writes_the_store_refuses_do_not_fail_the_sync()
    {
        _h.Store.FailWrite = verb => verb == "create" ? Orchestrator.Domain.Resources.ApiError.Internal("store unavailable") : null;
        _h.AddPod("quiet");

        await _h.Sync("quiet");

        Assert.Equal("Running", _h.Phase("quiet"));
        Assert.Empty(Events("quiet"));
        Assert.Equal(3, _h.Syncer.Events.Failed);
    }
}
