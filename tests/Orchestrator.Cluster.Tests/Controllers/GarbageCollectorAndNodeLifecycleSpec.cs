using System.Text.Json.Nodes;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Cluster.Membership;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using Orchestrator.Domain.Services;
using Orchestrator.TestSupport.Stores;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Cluster.Tests.Controllers;

public sealed class GarbageCollectorAndNodeLifecycleSpec : TestKit
{
    private readonly InMemoryStore _store = new();

    [Fact]
    public void Deleting_a_deployment_deletes_its_replica_sets_and_their_pods_but_not_others()
    {
        var deployment = _store.Put(DeploymentKind.Instance, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" }, ["spec"] = new JsonObject() });
        var rs = TestObjects.ReplicaSet("web-abc", 2, uid: null, generation: 1);
        rs.Metadata()["ownerReferences"] = new JsonArray(Objects.OwnerRef(deployment));
        rs = _store.Put(ReplicaSetKind.Instance, rs);
        _store.Put(PodKind.Instance, TestObjects.Pod("web-abc-1", owner: rs, phase: "Pending"));
        _store.Put(PodKind.Instance, TestObjects.Pod("web-abc-2", owner: rs, phase: "Pending"));
        _store.Put(PodKind.Instance, TestObjects.Pod("standalone", phase: "Pending"));
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
        var rs = _store.Put(ReplicaSetKind.Instance, TestObjects.ReplicaSet("web", 1, uid: null, generation: 1));
        _store.Put(PodKind.Instance, TestObjects.Pod("p", owner: rs, phase: "Pending"));
        Sys.ActorOf(GarbageCollector.Props(_store));
        _store.Remove(ReplicaSetKind.Instance, "default", "web");
        _store.Put(ReplicaSetKind.Instance, TestObjects.ReplicaSet("web", 0, uid: null, generation: 1)); // new uid
        AwaitAssert(() => Assert.Empty(_store.All("Pod")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Config_maps_secrets_and_services_owned_by_a_deployment_go_with_it_in_the_foreground()
    {
        var deployment = _store.Put(DeploymentKind.Instance, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" }, ["spec"] = new JsonObject() });
        JsonObject Owned(string name, string? finalizer = null)
        {
            var metadata = new JsonObject { ["name"] = name, ["namespace"] = "default", ["ownerReferences"] = new JsonArray(Objects.OwnerRef(deployment)) };
            if (finalizer is not null) metadata["finalizers"] = new JsonArray(finalizer);
            return new JsonObject { ["metadata"] = metadata };
        }
        _store.Put(ConfigMapKind.Instance, Owned("web-config", finalizer: "example.com/hold"));
        _store.Put(SecretKind.Instance, Owned("web-secret"));
        var service = Owned("web");
        service["spec"] = new JsonObject { ["selector"] = new JsonObject { ["app"] = "web" } };
        _store.Put(ServiceKind.Instance, service);
        _store.Put(ConfigMapKind.Instance, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "unowned", ["namespace"] = "default" } });
        Sys.ActorOf(GarbageCollector.Props(_store));
        AwaitCondition(() => _store.WatchCount("ConfigMap") > 0 && _store.WatchCount("Secret") > 0, TimeSpan.FromSeconds(5));

        _store.Delete(DeploymentKind.Instance, "default", "web", new DeleteRequest(PropagationPolicy: DeletionPropagation.Foreground));
        // The secret and the service go; the held config map waits, and so does its owner.
        AwaitAssert(() =>
        {
            Assert.Empty(_store.All("Secret"));
            Assert.Empty(_store.All("Service"));
            Assert.True(_store.Find("ConfigMap", "default", "web-config")?.IsDeleting());
        }, TimeSpan.FromSeconds(5));
        Assert.True(_store.Find("Deployment", "default", "web")!.IsDeleting());

        _store.Patch(ConfigMapKind.Instance, "default", "web-config", PatchType.Merge, JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!);
        AwaitAssert(() =>
        {
            Assert.Empty(_store.All("Deployment"));
            Assert.Equal("unowned", Assert.Single(_store.All("ConfigMap")).Name());
        }, TimeSpan.FromSeconds(5));
    }

    private (JsonObject Deployment, JsonObject ReplicaSet) DeploymentWithPods(params string[] podFinalizers)
    {
        var deployment = _store.Put(DeploymentKind.Instance, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" }, ["spec"] = new JsonObject() });
        var rs = TestObjects.ReplicaSet("web-abc", 2, uid: null, generation: 1);
        rs.Metadata()["ownerReferences"] = new JsonArray(Objects.OwnerRef(deployment));
        rs = _store.Put(ReplicaSetKind.Instance, rs);
        _store.Put(PodKind.Instance, TestObjects.Pod("web-abc-1", owner: rs, phase: "Pending"));
        var held = TestObjects.Pod("web-abc-2", owner: rs, phase: "Pending");
        if (podFinalizers.Length > 0) held.Metadata()["finalizers"] = new JsonArray(podFinalizers.Select(f => (JsonNode)f).ToArray());
        _store.Put(PodKind.Instance, held);
        return (deployment, rs);
    }

    [Fact]
    public void Orphan_deletion_unlinks_the_dependents_then_lets_the_owner_go()
    {
        var (_, rs) = DeploymentWithPods();
        Sys.ActorOf(GarbageCollector.Props(_store));
        AwaitCondition(() => _store.WatchCount("Pod") > 0, TimeSpan.FromSeconds(5));

        _store.Delete(DeploymentKind.Instance, "default", "web", new DeleteRequest(PropagationPolicy: DeletionPropagation.Orphan));
        Assert.Equal(["orphan"], _store.Find("Deployment", "default", "web")!.Finalizers());
        AwaitAssert(() => Assert.Empty(_store.All("Deployment")), TimeSpan.FromSeconds(5));

        var orphan = _store.Find("ReplicaSet", "default", "web-abc")!;
        Assert.Null(orphan.Metadata()["ownerReferences"]?.AsArray().FirstOrDefault());
        Assert.False(orphan.IsDeleting());
        Assert.Equal(2, _store.All("Pod").Count);
        Assert.All(_store.All("Pod"), p => Assert.Equal(rs.Uid(), PodHelpers.ControllerRef(p).GetString("uid")));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Single(_store.All("ReplicaSet"));
    }

    [Fact]
    public void Foreground_deletion_keeps_the_owner_until_every_blocking_dependent_is_gone()
    {
        DeploymentWithPods("example.com/hold");
        Sys.ActorOf(GarbageCollector.Props(_store));
        AwaitCondition(() => _store.WatchCount("Pod") > 0, TimeSpan.FromSeconds(5));

        _store.Delete(DeploymentKind.Instance, "default", "web", new DeleteRequest(PropagationPolicy: DeletionPropagation.Foreground));
        // The ReplicaSet has pods: it is deleted in the foreground too; the free pod goes, the held one waits.
        AwaitAssert(() =>
        {
            Assert.Equal(["foregroundDeletion"], _store.Find("ReplicaSet", "default", "web-abc")?.Finalizers());
            Assert.True(_store.Find("Pod", "default", "web-abc-2")?.IsDeleting());
            Assert.Null(_store.Find("Pod", "default", "web-abc-1"));
        }, TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.True(_store.Find("Deployment", "default", "web")!.IsDeleting());
        Assert.True(_store.Find("ReplicaSet", "default", "web-abc")!.IsDeleting());
        lock (_store.Writes) Assert.Contains("delete ReplicaSet default/web-abc Foreground", _store.Writes);

        // The last pod goes: then the ReplicaSet, then the Deployment.
        _store.Patch(PodKind.Instance, "default", "web-abc-2", PatchType.Merge, JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!);
        AwaitAssert(() =>
        {
            Assert.Empty(_store.All("Pod"));
            Assert.Empty(_store.All("ReplicaSet"));
            Assert.Empty(_store.All("Deployment"));
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_silent_node_is_marked_unknown_tainted_and_its_pods_evicted_after_the_toleration()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var settings = ControllerSettings.Default with { NodeMonitorPeriod = TimeSpan.FromMilliseconds(50) };
        _store.Put(NodeKind.Instance, TestObjects.Node("n1", heartbeat: time.GetUtcNow()));
        _store.Put(PodKind.Instance, TestObjects.Pod("victim", node: "n1", phase: "Pending"));
        var patient = TestObjects.Pod("patient", node: "n1", phase: "Pending");
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
        lock (_store.Writes) Assert.Contains(_store.Writes, w => w == "delete Pod default/victim grace=0");

        // The agent reports again: the taint goes.
        var back = _store.Find("Node", "", "n1")!;
        back["status"] = TestObjects.Node("n1", heartbeat: time.GetUtcNow())["status"]!.DeepClone();
        _store.Put(NodeKind.Instance, back);
        AwaitAssert(() => Assert.Null(NodeLifecycle.UnreachableSince(_store.Find("Node", "", "n1")!, time.GetUtcNow())), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_node_whose_member_was_removed_is_unreachable_at_once_since_its_member_became_unreachable()
    {
        const string member = "akka.tcp://orchestrator@10.0.0.2:4053#42";
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var settings = ControllerSettings.Default with { NodeMonitorPeriod = TimeSpan.FromMilliseconds(50) };
        var node = TestObjects.Node("n2", heartbeat: time.GetUtcNow());
        node.Metadata()["annotations"] = new JsonObject { [NodeLifecycle.MemberAnnotation] = member };
        _store.Put(NodeKind.Instance, node);
        _store.Put(PodKind.Instance, TestObjects.Pod("stranded", node: "n2", phase: "Pending"));
        var members = new MemberLiveness();
        var unreachableAt = time.GetUtcNow();
        members.Unreachable(member, unreachableAt);
        time.Advance(TimeSpan.FromSeconds(6));
        members.Removed(member, time.GetUtcNow());

        // A controller that starts only now (it failed over from the dead member) does not wait out
        // the grace period: the node is unreachable since its member was, and the toleration (5s)
        // counted from then is already over.
        Sys.ActorOf(NodeLifecycleController.Props(_store, settings, time, members));
        AwaitAssert(() =>
        {
            var current = _store.Find("Node", "", "n2")!;
            Assert.Equal("Unknown", PodHelpers.Condition(current, "Ready").GetString("status"));
            Assert.InRange(NodeLifecycle.UnreachableSince(current, DateTimeOffset.MinValue)!.Value, unreachableAt.AddSeconds(-1), unreachableAt);
        }, TimeSpan.FromSeconds(15));
        AwaitAssert(() => Assert.Empty(_store.All("Pod")), TimeSpan.FromSeconds(15));
    }
}
