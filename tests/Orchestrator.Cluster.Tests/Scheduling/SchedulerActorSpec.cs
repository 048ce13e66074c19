using Akka.TestKit.Xunit2;
using Orchestrator.Cluster.Scheduling;
using Orchestrator.Cluster.Tests.Controllers;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Stores;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Cluster.Tests.Scheduling;

public sealed class SchedulerActorSpec : TestKit
{
    private readonly InMemoryStore _store = new();

    private void StartScheduler(string name = "scheduler") =>
        Sys.ActorOf(SchedulerActor.Props(_store, SchedulerSettings.Default, TimeProvider.System), name);

    [Fact]
    public void Binds_pending_pods_spread_over_ready_nodes_and_records_Scheduled_events()
    {
        _store.Put(NodeKind.Instance, TestObjects.Node("a"));
        _store.Put(NodeKind.Instance, TestObjects.Node("b"));
        _store.Put(NodeKind.Instance, TestObjects.Node("down", ready: false));
        for (var i = 0; i < 4; i++) _store.Put(PodKind.Instance, TestObjects.Pod($"p{i}", phase: "Pending"));
        StartScheduler();
        AwaitAssert(() =>
        {
            var pods = _store.All("Pod");
            Assert.All(pods, p => Assert.Contains(Objects.NodeOf(p), new[] { "a", "b" }));
            Assert.Equal(2, pods.Count(p => Objects.NodeOf(p) == "a"));
            Assert.Equal(4, _store.All("Event").Count(e => e.GetString("reason") == "Scheduled"));
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_pod_that_fits_nowhere_says_why_and_is_bound_once_a_node_has_room()
    {
        _store.Put(NodeKind.Instance, TestObjects.Node("small", memory: "128Mi"));
        _store.Put(PodKind.Instance, TestObjects.Pod("big", memory: "1Gi", phase: "Pending"));
        StartScheduler();
        AwaitAssert(() =>
        {
            var pod = _store.Find("Pod", "default", "big")!;
            var condition = Assert.Single(pod["status"]!["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "PodScheduled")!;
            Assert.Equal("False", condition["status"]!.GetValue<string>());
            Assert.Equal("Unschedulable", condition["reason"]!.GetValue<string>());
            Assert.Equal("0/1 nodes are available: 1 Insufficient memory.", condition["message"]!.GetValue<string>());
            var failed = Assert.Single(_store.All("Event"), e => e.GetString("reason") == "FailedScheduling");
            Assert.Equal("Warning", failed.GetString("type"));
        }, TimeSpan.FromSeconds(5));

        _store.Put(NodeKind.Instance, TestObjects.Node("large", memory: "4Gi"));
        AwaitAssert(() => Assert.Equal("large", Objects.NodeOf(_store.Find("Pod", "default", "big")!)), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Bound_pods_take_their_requests_from_the_node()
    {
        _store.Put(NodeKind.Instance, TestObjects.Node("a", cpu: "1"));
        _store.Put(PodKind.Instance, TestObjects.Pod("running", cpu: "800m", node: "a", phase: "Pending"));
        _store.Put(PodKind.Instance, TestObjects.Pod("new", cpu: "500m", phase: "Pending"));
        StartScheduler();
        AwaitAssert(() => Assert.Contains(_store.All("Event"), e => e.GetString("message") == "0/1 nodes are available: 1 Insufficient cpu."), TimeSpan.FromSeconds(5));
        _store.Remove(PodKind.Instance, "default", "running");
        AwaitAssert(() => Assert.Equal("a", Objects.NodeOf(_store.Find("Pod", "default", "new")!)), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Two_schedulers_never_bind_a_pod_twice()
    {
        _store.Put(NodeKind.Instance, TestObjects.Node("a"));
        _store.Put(NodeKind.Instance, TestObjects.Node("b"));
        for (var i = 0; i < 20; i++) _store.Put(PodKind.Instance, TestObjects.Pod($"p{i}", cpu: "10m", phase: "Pending"));
        StartScheduler("s1");
        StartScheduler("s2");
        AwaitAssert(() => Assert.All(_store.All("Pod"), p => Assert.NotNull(Objects.NodeOf(p))), TimeSpan.FromSeconds(5));
        lock (_store.Writes)
        {
            var binds = _store.Writes.Where(w => w.StartsWith("bind ", StringComparison.Ordinal)).ToList();
            Assert.Equal(20, binds.Count);
        }
    }

    [Fact]
    public void A_failed_bind_is_retried()
    {
        var failures = 2;
        _store.FailWrite = verb => verb == "bind" && Interlocked.Decrement(ref failures) >= 0 ? ApiError.Internal("disk full") : null;
        _store.Put(NodeKind.Instance, TestObjects.Node("a"));
        _store.Put(PodKind.Instance, TestObjects.Pod("p", phase: "Pending"));
        StartScheduler();
        AwaitAssert(() => Assert.Equal("a", Objects.NodeOf(_store.Find("Pod", "default", "p")!)), TimeSpan.FromSeconds(5));
    }
}
