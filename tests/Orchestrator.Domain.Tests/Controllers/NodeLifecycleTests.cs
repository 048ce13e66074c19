using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Tests.Controllers;

public sealed class NodeLifecycleTests
{
    private static JsonObject Node(DateTimeOffset heartbeat, JsonArray? taints = null) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "n1", ["creationTimestamp"] = "2026-01-01T00:00:00Z" },
        ["spec"] = new JsonObject { ["taints"] = taints },
        ["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["lastHeartbeatTime"] = ObjectMeta.FormatTime(heartbeat) }),
        },
    };

    [Property]
    public Property A_node_is_unreachable_exactly_when_its_heartbeat_is_older_than_the_grace_period() =>
        Prop.ForAll(Gen.Choose(0, 60).ToArbitrary(), Gen.Choose(1, 30).ToArbitrary(), (age, grace) =>
            NodeLifecycle.IsUnreachable(Node(Fixtures.Now.AddSeconds(-age)), Fixtures.Now, TimeSpan.FromSeconds(grace)) == (age > grace));

    [Fact]
    public void The_taint_is_added_with_its_time_and_removed_keeping_other_taints()
    {
        var node = Node(Fixtures.Now, new JsonArray(new JsonObject { ["key"] = "dedicated", ["effect"] = "NoSchedule" }));
        Assert.Null(NodeLifecycle.UnreachableSince(node, Fixtures.Now));
        node["spec"]!["taints"] = NodeLifecycle.TaintsWithUnreachable(node, true, Fixtures.Now);
        Assert.Equal(Fixtures.Now, NodeLifecycle.UnreachableSince(node, DateTimeOffset.MinValue));
        var removed = NodeLifecycle.TaintsWithUnreachable(node, false, Fixtures.Now);
        Assert.Equal("dedicated", Assert.Single(removed)!["key"]!.GetValue<string>());
    }

    [Fact]
    public void Ready_unknown_keeps_the_last_heartbeat()
    {
        var patch = NodeLifecycle.ReadyUnknownPatch(Node(Fixtures.Now.AddSeconds(-20)), Fixtures.Now);
        var condition = patch["status"]!["conditions"]![0]!;
        Assert.Equal("Unknown", condition["status"]!.GetValue<string>());
        Assert.Equal(ObjectMeta.FormatTime(Fixtures.Now.AddSeconds(-20)), condition["lastHeartbeatTime"]!.GetValue<string>());
    }

    [Fact]
    public void Pods_are_evicted_after_the_default_or_their_own_toleration()
    {
        var plain = Fixtures.Pod("p", null);
        Assert.Equal(Fixtures.Now.AddSeconds(5), NodeLifecycle.EvictionTime(plain, Fixtures.Now, TimeSpan.FromSeconds(5)));
        var patient = Fixtures.Pod("q", null);
        patient["spec"]!["tolerations"] = JsonNode.Parse("""[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":60}]""");
        Assert.Equal(Fixtures.Now.AddSeconds(60), NodeLifecycle.EvictionTime(patient, Fixtures.Now, TimeSpan.FromSeconds(5)));
        var forever = Fixtures.Pod("r", null);
        forever["spec"]!["tolerations"] = JsonNode.Parse("""[{"operator":"Exists"}]""");
        Assert.Null(NodeLifecycle.EvictionTime(forever, Fixtures.Now, TimeSpan.FromSeconds(5)));
    }
}
