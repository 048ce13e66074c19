using Orchestrator.Domain.Scheduling;

namespace Orchestrator.Domain.Tests.Scheduling;

public class NodeStateTests
{
    private static NodeState Node(long cpu = 2000, bool ready = true, bool cordoned = false, string zone = "a", string? taint = null) =>
        new("n1", cpu, 4L << 30, 110, new Dictionary<string, string> { ["zone"] = zone, ["disk"] = "ssd" },
            taint is null ? [] : [new Taint(taint, null, Taint.NoSchedule)], ready, cordoned);

    [Fact]
    public void A_node_that_offers_the_same_is_no_reason_to_retry()
    {
        var labelsInAnotherOrder = new NodeState("n1", 2000, 4L << 30, 110, new Dictionary<string, string> { ["disk"] = "ssd", ["zone"] = "a" });
        Assert.True(Node().OffersSameAs(labelsInAnotherOrder));
    }

    [Fact]
    public void Readiness_cordon_capacity_labels_and_taints_each_count()
    {
        var node = Node();
        Assert.False(node.OffersSameAs(Node(ready: false)));
        Assert.False(node.OffersSameAs(Node(cordoned: true)));
        Assert.False(node.OffersSameAs(Node(cpu: 4000)));
        Assert.False(node.OffersSameAs(Node(zone: "b")));
        Assert.False(node.OffersSameAs(Node(taint: "dedicated")));
    }
}
