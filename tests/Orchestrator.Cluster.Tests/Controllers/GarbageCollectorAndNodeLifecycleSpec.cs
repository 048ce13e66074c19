using System.Text.Json.Nodes;
using Akka.TestKit.Xunit2;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Tests.Controllers;

public sealed class GarbageCollectorAndNodeLifecycleSpec : TestKit
{
    private readonly FakeControllerStore _store = new();

    [Fact]
    public void Deleting_a_deployment_deletes_its_replica_sets_and_their_pods_but_not_others()
    {
        var deployment = _store.Put(DeploymentKind.Instance, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" }, ["spec"] = new JsonObject() });
        var rs = ReplicaSetControllerSpec.ReplicaSet("web-abc", 2);
        rs.Metadata()["ownerReferences"] = new JsonArray(Objects.OwnerRef(deployment));
        rs = _store.Put(ReplicaSetKind.Instance, rs);
        _store.Put(PodKind.Instance, Objects.Pod("web-abc-1", owner: rs));
        _store.Put(PodKind.Instance, Objects.Pod("web-abc-2", owner: rs));
        _store.Put(PodKind.Instance, Objects.Pod("standalone"));
        Sys.ActorOf(GarbageCollector.Props(_store));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(3, _store.All("Pod").Count);

        _store.Remove(DeploymentKind.Instance, "default", "web");
        AwaitAssert(() =>
        {
            Assert.Empty(_store.All("ReplicaSet"));
            Assert.Equal("standalone", Assert.Single(_store.All("Pod")).Name());
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void An_owner_recreated_under_the_same_name_does_not_keep_old_dependents()
    {
        var rs = _store.Put(ReplicaSetKind.Instance, ReplicaSetControllerSpec.ReplicaSet("web", 1));
        _store.Put(PodKind.Instance, Objects.Pod("p", owner: rs));
        Sys.ActorOf(GarbageCollector.Props(_store));
        _store.Remove(ReplicaSetKind.Instance, "default", "web");
        _store.Put(ReplicaSetKind.Instance, ReplicaSetControllerSpec.ReplicaSet("web", 0)); // new uid
        AwaitAssert(() => Assert.Empty(_store.All("Pod")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_silent_node_is_marked_unknown_tainted_and_its_pods_evicted_after_the_toleration()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var settings = ControllerSettings.Default with { NodeMonitorPeriod = TimeSpan.FromMilliseconds(50) };
        _store.Put(NodeKind.Instance, Objects.Node("n1", heartbeat: time.GetUtcNow()));
        _store.Put(PodKind.Instance, Objects.Pod("victim", node: "n1"));
        var patient = Objects.Pod("patient", node: "n1");
        patient["spec"]!["tolerations"] = JsonNode.Parse("""[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":60}]""");
        _store.Put(PodKind.Instance, patient);
        Sys.ActorOf(NodeLifecycleController.Props(_store, settings, time));
        // The controller has seen the heartbeat (by its clock) once its lists are in and it watches.
        AwaitCondition(() => _store.WatchCount("Node") > 0 && _store.WatchCount("Pod") > 0, TimeSpan.FromSeconds(5));
        Assert.Null(NodeLifecycle.UnreachableSince(_store.Find("Node", "", "n1")!, time.GetUtcNow()));

        time.Advance(TimeSpan.FromSeconds(9));
        AwaitAssert(() =>
        {
            var node = _store.Find("Node", "", "n1")!;
            Assert.Equal("Unknown", PodHelpers.Condition(node, "Ready").GetString("status"));
            Assert.NotNull(NodeLifecycle.UnreachableSince(node, DateTimeOffset.MinValue));
        }, TimeSpan.FromSeconds(5));
        Assert.Equal(2, _store.All("Pod").Count);

        time.Advance(TimeSpan.FromSeconds(6));
        AwaitAssert(() => Assert.Equal("patient", Assert.Single(_store.All("Pod")).Name()), TimeSpan.FromSeconds(5));
        lock (_store.Writes) Assert.Contains(_store.Writes, w => w == "delete Pod default/victim");

        // The agent reports again: the taint goes.
        var back = _store.Find("Node", "", "n1")!;
        back["status"] = Objects.Node("n1", heartbeat: time.GetUtcNow())["status"]!.DeepClone();
        _store.Put(NodeKind.Instance, back);
        AwaitAssert(() => Assert.Null(NodeLifecycle.UnreachableSince(_store.Find("Node", "", "n1")!, time.GetUtcNow())), TimeSpan.FromSeconds(5));
    }
}
