using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Controllers;

public sealed class NodeLifecycleTests
{
    [Property]
    public Property A_node_is_unreachable_exactly_when_its_heartbeat_is_older_than_the_grace_period() =>
        Prop.ForAll(Gen.Choose(0, 60).ToArbitrary(), Gen.Choose(1, 30).ToArbitrary(), (age, grace) =>
            NodeLifecycle.IsUnreachable(TestObjects.Node("n1", heartbeat: TestObjects.Now.AddSeconds(-age)), TestObjects.Now, TimeSpan.FromSeconds(grace)) == (age > grace));

    [Fact]
    public void The_taint_is_added_with_its_time_and_removed_keeping_other_taints()
    {
        var node = TestObjects.Node("n1", heartbeat: TestObjects.Now, taints: new JsonArray(new JsonObject { ["key"] = "dedicated", ["effect"] = "NoSchedule" }));
        Assert.Null(NodeLifecycle.UnreachableSince(node, TestObjects.Now));
        node["spec"]!["taints"] = NodeLifecycle.TaintsWithUnreachable(node, true, TestObjects.Now);
        Assert.Equal(TestObjects.Now, NodeLifecycle.UnreachableSince(node, DateTimeOffset.MinValue));
        var removed = NodeLifecycle.TaintsWithUnreachable(node, false, TestObjects.Now);
        Assert.Equal("dedicated", Assert.Single(removed)!["key"]!.GetValue<string>());
    }

    [Fact]
    public void Ready_unknown_keeps_the_last_heartbeat()
    {
        var patch = NodeLifecycle.ReadyUnknownPatch(TestObjects.Node("n1", heartbeat: TestObjects.Now.AddSeconds(-20)), TestObjects.Now);
        var condition = patch["status"]!["conditions"]![0]!;
        Assert.Equal("Unknown", condition["status"]!.GetValue<string>());
        Assert.Equal(ObjectMeta.FormatTime(TestObjects.Now.AddSeconds(-20)), condition["lastHeartbeatTime"]!.GetValue<string>());
    }

    [Fact]
    public void Pods_are_evicted_after_the_default_or_their_own_toleration()
    {
        var plain = TestObjects.Pod("p", null);
        Assert.Equal(TestObjects.Now.AddSeconds(5), NodeLifecycle.EvictionTime(plain, TestObjects.Now, TimeSpan.FromSeconds(5)));
        var patient = TestObjects.Pod("q", null);
        patient["spec"]!["tolerations"] = JsonNode.Parse("""[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":60}]""");
        Assert.Equal(TestObjects.Now.AddSeconds(60), NodeLifecycle.EvictionTime(patient, TestObjects.Now, TimeSpan.FromSeconds(5)));
        var forever = TestObjects.Pod("r", null);
        forever["spec"]!["tolerations"] = JsonNode.Parse("""[{"operator":"Exists"}]""");
        Assert.Null(NodeLifecycle.EvictionTime(forever, TestObjects.Now, TimeSpan.FromSeconds(5)));
    }
}
