using System.Text.Json.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Tests.Unit.Sync;

/// <summary>Init containers run one at a time, in order, each to success, before the app containers; restarts follow the pod's policy.</summary>
public sealed class InitContainerTests : IDisposable
{
    private readonly SyncerHarness _h = new();

    public void Dispose() => _h.Dispose();

    private string Status(string pod) => PodKind.DisplayStatus(_h.Pod(pod)!);

    private string? Condition(string pod, string type) =>
        _h.Pod(pod)!["status"]!["conditions"]!.AsArray().OfType<JsonObject>().Single(c => c["type"]!.GetValue<string>() == type)["status"]!.GetValue<string>();

    [Fact]
    public async Task Init_containers_run_in_order_one_at_a_time_then_the_app_starts()
    {
        _h.AddPodWithInits("web", "Always", "first", "second");
        await _h.Sync("web");
        Assert.Equal(ContainerState.Running, _h.Run("web", "first")!.State);
        Assert.Null(_h.Run("web", "second"));
        Assert.Null(_h.Run("web", "app"));
        Assert.Equal("Init:0/2", Status("web"));
        Assert.Equal("Pending", _h.Phase("web"));
        Assert.Equal("False", Condition("web", "Initialized"));
        Assert.Equal("PodInitializing", _h.WaitingReason("web"));
        Assert.Equal("PodInitializing", _h.InitStatus("web", "second")["state"]!["waiting"]!["reason"]!.GetValue<string>());

        // Nothing exited: another sync starts nothing more.
        await _h.Sync("web");
        Assert.Null(_h.Run("web", "second"));

        _h.Runtime.Exit(_h.Run("web", "first")!.Id, 0);
        await _h.Sync("web");
        Assert.Equal(ContainerState.Running, _h.Run("web", "second")!.State);
        Assert.Null(_h.Run("web", "app"));
        Assert.Equal("Init:1/2", Status("web"));
        Assert.True(_h.InitStatus("web", "first")["ready"]!.GetValue<bool>());
        Assert.Equal("Completed", _h.InitStatus("web", "first")["state"]!["terminated"]!["reason"]!.GetValue<string>());

        _h.Runtime.Exit(_h.Run("web", "second")!.Id, 0);
        await _h.Sync("web");
        Assert.Equal(ContainerState.Running, _h.Run("web", "app")!.State);
        Assert.Equal("Running", _h.Phase("web"));
        Assert.Equal("True", Condition("web", "Initialized"));
        Assert.Equal("Running", Status("web"));
    }

    [Fact]
    public async Task A_failing_init_container_is_restarted_with_backoff_and_the_app_waits()
    {
        _h.AddPodWithInits("web", "Always", "first");
        await _h.Sync("web");
        _h.Runtime.Exit(_h.Run("web", "first")!.Id, 1);
        await _h.Sync("web");
        Assert.Equal("Init:CrashLoopBackOff", Status("web"));
        Assert.Null(_h.Run("web", "app"));

        _h.Time.Advance(TimeSpan.FromMinutes(5));
        await _h.Sync("web");
        Assert.Equal(1, _h.Run("web", "first")!.RestartCount);
        Assert.Equal(1, _h.InitStatus("web", "first")["restartCount"]!.GetValue<int>());
        Assert.Equal(("Init:0/1", 1L), PodPrinter.Print(_h.Pod("web")!));

        // A success is not repeated, even under restartPolicy Always; the app starts.
        _h.Runtime.Exit(_h.Run("web", "first")!.Id, 0);
        await _h.Sync("web");
        await _h.Sync("web");
        Assert.Equal(ContainerState.Running, _h.Run("web", "app")!.State);
        Assert.Equal(ContainerState.Exited, _h.Run("web", "first")!.State);
    }

    [Fact]
    public async Task Under_restartPolicy_Never_a_failed_init_container_fails_the_pod()
    {
        _h.AddPodWithInits("job", "Never", "first", "second");
        await _h.Sync("job");
        _h.Runtime.Exit(_h.Run("job", "first")!.Id, 3);
        await _h.Sync("job");
        Assert.Equal("Failed", _h.Phase("job"));
        Assert.Equal("Init:Error", Status("job"));
        Assert.Null(_h.Run("job", "second"));
        Assert.Null(_h.Run("job", "app"));
        Assert.Equal(3, _h.InitStatus("job", "first")["state"]!["terminated"]!["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task App_container_restarts_do_not_run_the_init_containers_again()
    {
        _h.AddPodWithInits("web", "Always", "first");
        await _h.Sync("web");
        _h.Runtime.Exit(_h.Run("web", "first")!.Id, 0);
        await _h.Sync("web");
        var init = _h.Run("web", "first")!.Id;
        _h.Runtime.Exit(_h.Run("web", "app")!.Id, 1);
        _h.Time.Advance(TimeSpan.FromMinutes(5));
        await _h.Sync("web");
        await _h.Sync("web");
        Assert.Equal(1, _h.Run("web", "app")!.RestartCount);
        Assert.Equal(init, _h.Run("web", "first")!.Id);

        // A restarted agent sees the same: initialized, nothing run again.
        _h.RestartAgent();
        await _h.Sync("web");
        Assert.Equal(init, _h.Run("web", "first")!.Id);
        Assert.Equal("True", Condition("web", "Initialized"));
    }

    [Fact]
    public async Task Events_about_an_init_container_name_its_field_path_in_initContainers()
    {
        _h.AddPodWithInits("web", "Always", "first");
        await _h.Sync("web");
        var started = _h.Store.All(Domain.Events.EventKind.Instance.Kind).Single(e => e["reason"]!.GetValue<string>() == "Started");
        Assert.Equal("spec.initContainers{first}", started["involvedObject"]!["fieldPath"]!.GetValue<string>());
    }
}
