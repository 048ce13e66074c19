using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Scheduling;

namespace Orchestrator.Domain.Tests.Scheduling;

public sealed class PodSchedulerTests
{
    private const long Gi = 1024L * 1024 * 1024;

    [Fact]
    public void Message_counts_each_reason_most_frequent_first()
    {
        var nodes = new[]
        {
            new NodeState("a", 4000, 1 * Gi),
            new NodeState("b", 4000, 1 * Gi),
            new NodeState("c", 4000, 8 * Gi, taints: [new Taint("k", "v", Taint.NoSchedule)]),
        };
        var result = PodScheduler.Spread.Schedule(PodDemand.Simple("default", "web", 100, 2 * Gi), nodes);
        Assert.False(result.Scheduled);
        Assert.Equal("0/3 nodes are available: 2 Insufficient memory, 1 node(s) had untolerated taint {k: v}.", result.Message);
    }

    [Fact]
    public void Not_ready_and_cordoned_nodes_are_skipped()
    {
        var nodes = new[]
        {
            new NodeState("down", 4000, 8 * Gi, ready: false),
            new NodeState("cordoned", 4000, 8 * Gi, unschedulable: true),
            new NodeState("ok", 1000, 1 * Gi),
        };
        Assert.Equal("ok", PodScheduler.Spread.Schedule(PodDemand.Simple("d", "p"), nodes).NodeName);
        var none = PodScheduler.Spread.Schedule(PodDemand.Simple("d", "p"), nodes.Take(2));
        Assert.Equal("0/2 nodes are available: 1 node(s) were not ready, 1 node(s) were unschedulable.", none.Message);
    }

    [Fact]
    public void No_nodes_says_so() =>
        Assert.Equal("0/0 nodes are available: no nodes available to schedule pods.", PodScheduler.Spread.Schedule(PodDemand.Simple("d", "p"), []).Message);

    [Fact]
    public void Tolerated_taints_and_prefer_no_schedule_do_not_block()
    {
        var node = new NodeState("n", 1000, Gi, taints: [new Taint("gpu", "yes", Taint.NoSchedule), new Taint("soft", null, Taint.PreferNoSchedule)]);
        var pod = PodDemand.Simple("d", "p") with { Tolerations = [new Toleration("gpu", "Equal", "yes", Taint.NoSchedule)] };
        Assert.Equal("n", PodScheduler.Spread.Schedule(pod, [node]).NodeName);
        var wildcard = PodDemand.Simple("d", "p") with { Tolerations = [new Toleration(null, "Exists", null, null)] };
        Assert.Equal("n", PodScheduler.Spread.Schedule(wildcard, [node]).NodeName);
        Assert.False(PodScheduler.Spread.Schedule(PodDemand.Simple("d", "p"), [node]).Scheduled);
    }

    [Fact]
    public void Unreachable_no_execute_taint_blocks_scheduling()
    {
        var node = new NodeState("n", 1000, Gi, taints: [new Taint("node.kubernetes.io/unreachable", null, Taint.NoExecute)]);
        Assert.Equal("0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.",
            PodScheduler.Spread.Schedule(PodDemand.Simple("d", "p"), [node]).Message);
    }

    [Fact]
    public void Host_ports_conflict_on_the_same_node_only()
    {
        var a = new NodeState("a", 1000, Gi);
        var b = new NodeState("b", 1000, Gi);
        var web = PodDemand.Simple("d", "web1") with { HostPorts = [new HostPort("TCP", "", 8080)] };
        a.AddPod(web);
        var second = web with { Name = "web2" };
        Assert.Equal("b", PodScheduler.Spread.Schedule(second, [a, b]).NodeName);
        Assert.Equal("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.", PodScheduler.Spread.Schedule(second, [a]).Message);
        var udp = web with { Name = "dns", HostPorts = [new HostPort("UDP", "", 8080)] };
        Assert.True(PodScheduler.Spread.Schedule(udp, [a]).Scheduled);
    }

    [Fact]
    public void Node_selector_and_required_affinity_from_the_pod_json()
    {
        var pod = JsonNode.Parse("""
            {"metadata":{"name":"p","namespace":"d"},"spec":{"nodeSelector":{"disk":"ssd"},
             "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
               {"matchExpressions":[{"key":"zone","operator":"In","values":["z1","z2"]}]},
               {"matchFields":[{"key":"metadata.name","operator":"In","values":["special"]}]}]}}},
             "containers":[{"name":"c","image":"x","resources":{"requests":{"cpu":"250m","memory":"64Mi"}}}]}}
            """)!.AsObject();
        var demand = PodDemand.FromPod(pod);
        Assert.Equal(250, demand.MilliCpu);
        Assert.Equal(64L * 1024 * 1024, demand.MemoryBytes);
        var ssdZ3 = new NodeState("n1", 1000, Gi, labels: new Dictionary<string, string> { ["disk"] = "ssd", ["zone"] = "z3" });
        var hddZ1 = new NodeState("n2", 1000, Gi, labels: new Dictionary<string, string> { ["disk"] = "hdd", ["zone"] = "z1" });
        var special = new NodeState("special", 1000, Gi, labels: new Dictionary<string, string> { ["disk"] = "ssd" });
        var ssdZ2 = new NodeState("n4", 1000, Gi, labels: new Dictionary<string, string> { ["disk"] = "ssd", ["zone"] = "z2" });
        var result = PodScheduler.Spread.Schedule(demand, [ssdZ3, hddZ1]);
        Assert.Equal("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.", result.Message);
        Assert.Equal("special", PodScheduler.Spread.Schedule(demand, [ssdZ3, hddZ1, special]).NodeName);
        Assert.Equal("n4", PodScheduler.Spread.Schedule(demand, [ssdZ3, ssdZ2]).NodeName);
    }

    [Fact]
    public void Node_json_gives_allocatable_taints_readiness_and_cordon()
    {
        var node = JsonNode.Parse("""
            {"metadata":{"name":"w1","labels":{"a":"b"}},"spec":{"unschedulable":true,"taints":[{"key":"k","value":"v","effect":"NoSchedule"}]},
             "status":{"allocatable":{"cpu":"2","memory":"4Gi","pods":"20"},"conditions":[{"type":"Ready","status":"True"}]}}
            """)!.AsObject();
        var state = NodeState.FromNode(node);
        Assert.Equal((2000L, 4 * Gi, 20, true, true), (state.AllocatableMilliCpu, state.AllocatableMemory, state.AllocatablePods, state.Ready, state.Unschedulable));
        Assert.Equal(new Taint("k", "v", Taint.NoSchedule), Assert.Single(state.Taints));
    }

    [Fact]
    public void Spread_puts_siblings_on_different_nodes_and_binpack_fills_one()
    {
        foreach (var (scheduler, distinct) in new[] { (PodScheduler.Spread, 3), (PodScheduler.BinPack, 1) })
        {
            var cache = new SchedulingCache();
            foreach (var n in new[] { "a", "b", "c" }) cache.UpsertNode(new NodeState(n, 4000, 8 * Gi));
            for (var i = 0; i < 3; i++)
            {
                var pod = PodDemand.Simple("d", $"p{i}", 100, 100_000_000, ownerUid: "rs-1");
                cache.AddPod(scheduler.Schedule(pod, cache.Nodes).NodeName!, pod);
            }
            Assert.Equal(distinct, cache.Nodes.Count(n => n.PodCount > 0));
        }
    }

    private static readonly Gen<NodeState> NodeGen =
        from i in Gen.Choose(0, 1_000_000)
        from cpu in Gen.Choose(0, 8).Select(c => c * 500)
        from mem in Gen.Choose(0, 8).Select(m => m * 256L * 1024 * 1024)
        from pods in Gen.Choose(0, 5)
        from ready in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
        from cordoned in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from tainted in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new NodeState($"n{i}", cpu, mem, pods, ready: ready, unschedulable: cordoned,
            taints: tainted ? [new Taint("dedicated", "x", Taint.NoSchedule)] : []);

    private static readonly Gen<PodDemand> PodGen =
        from i in Gen.Choose(0, 1_000_000)
        from cpu in Gen.Choose(0, 6).Select(c => c * 250L)
        from mem in Gen.Choose(0, 6).Select(m => m * 128L * 1024 * 1024)
        from owner in Gen.Elements("a", "b", "c")
        from tolerates in Gen.Elements(true, false)
        select PodDemand.Simple("d", $"p{i}", cpu, mem, owner) with
        {
            Tolerations = tolerates ? [new Toleration("dedicated", "Exists", null, null)] : [],
        };

    private static bool FitsEverything(PodDemand pod, NodeState node) =>
        PodScheduler.DefaultFilters.All(f => f.Feasible(pod, node, new List<string>()));

    [Property(MaxTest = 200)]
    public Property Placing_pods_one_after_another_never_overcommits_and_fails_only_when_nothing_fits() =>
        Prop.ForAll(
            Gen.ListOf(NodeGen).Select(ns => ns.DistinctBy(n => n.Name).ToList()).ToArbitrary(),
            Gen.ListOf(PodGen).Select(ps => ps.DistinctBy(p => p.Name).ToList()).ToArbitrary(),
            (nodes, pods) =>
            {
                var cache = new SchedulingCache();
                foreach (var n in nodes) cache.UpsertNode(n);
                foreach (var pod in pods)
                {
                    var feasibleBefore = cache.Nodes.Where(n => FitsEverything(pod, n)).Select(n => n.Name).ToHashSet();
                    var result = PodScheduler.Spread.Schedule(pod, cache.Nodes);
                    if (result.Scheduled)
                    {
                        if (!feasibleBefore.Contains(result.NodeName!)) return false;
                        cache.AddPod(result.NodeName!, pod);
                    }
                    else
                    {
                        // nothing fitted, and every node is counted under at least one reason
                        if (feasibleBefore.Count > 0 || result.FailureCounts.Values.Sum() < nodes.Count || result.NodeCount != nodes.Count) return false;
                    }
                }
                return cache.Nodes.All(n =>
                    n.RequestedMilliCpu <= n.AllocatableMilliCpu && n.RequestedMemory <= n.AllocatableMemory && n.PodCount <= n.AllocatablePods
                    && n.Ready && !n.Unschedulable || n.PodCount == 0);
            });

    [Property(MaxTest = 200)]
    public Property The_chosen_node_has_the_best_weighted_score() =>
        Prop.ForAll(
            Gen.NonEmptyListOf(NodeGen).Select(ns => ns.DistinctBy(n => n.Name).ToList()).ToArbitrary(),
            PodGen.ToArbitrary(),
            (nodes, pod) =>
            {
                var result = PodScheduler.Spread.Schedule(pod, nodes);
                if (!result.Scheduled) return true;
                long Total(NodeState n) => PodScheduler.Spread.Scores.Sum(s => (long)s.Weight * s.Stage.Score(pod, n));
                var best = nodes.Where(n => FitsEverything(pod, n)).Max(Total);
                return Total(nodes.Single(n => n.Name == result.NodeName)) == best;
            });

    [Property]
    public Property Scores_stay_between_0_and_100() =>
        Prop.ForAll(NodeGen.ToArbitrary(), PodGen.ToArbitrary(), (node, pod) =>
            new IScoreStage[] { new LeastAllocatedScore(), new MostAllocatedScore(), new BalancedAllocationScore(), new OwnerSpreadScore() }
                .All(s => s.Score(pod, node) is >= 0 and <= 100));

    [Property]
    public Property Adding_then_removing_a_pod_restores_the_node() =>
        Prop.ForAll(NodeGen.ToArbitrary(), Gen.ListOf(PodGen).ToArbitrary(), (node, pods) =>
        {
            var distinct = pods.DistinctBy(p => p.Key).ToList();
            foreach (var p in distinct) node.AddPod(p);
            foreach (var p in distinct) node.RemovePod(p.Key);
            return node.RequestedMilliCpu == 0 && node.RequestedMemory == 0 && node.PodCount == 0 && node.PodsOfOwner("a") == 0;
        });

    [Theory]
    [InlineData(0, 50, 50)]
    [InlineData(0, 100, 100)]
    [InlineData(0, 1000, 420)]
    [InlineData(0, 5000, 500)]
    [InlineData(0, 10_000, 500)]
    [InlineData(0, 1_000_000, 50_000)]
    [InlineData(10, 500, 100)]
    [InlineData(10, 5000, 500)]
    [InlineData(100, 5000, 5000)]
    public void Feasible_nodes_to_find_follow_kubernetes(int percentage, int nodes, int expected) =>
        Assert.Equal(expected, PodScheduler.Spread.WithPercentageOfNodesToScore(percentage).FeasibleNodesToFind(nodes));

    [Fact]
    public void A_percentage_outside_0_to_100_is_refused_with_its_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PodScheduler.Spread.WithPercentageOfNodesToScore(101));
        Assert.Contains("percentage of nodes to score", error.Message, StringComparison.Ordinal);
    }

    private static readonly Gen<List<NodeState>> ManyNodesGen =
        from count in Gen.Choose(100, 600)
        from nodes in Gen.ArrayOf(NodeGen, count)
        select nodes.DistinctBy(n => n.Name).ToList();

    [Property(MaxTest = 50)]
    public Property Stopping_early_picks_a_feasible_node_and_never_hides_a_feasible_one() =>
        Prop.ForAll(ManyNodesGen.ToArbitrary(), PodGen.ToArbitrary(), Gen.Choose(0, 100).ToArbitrary(), (nodes, pod, percentage) =>
        {
            var scheduler = PodScheduler.Spread.WithPercentageOfNodesToScore(percentage);
            var result = scheduler.Schedule(pod, nodes);
            var feasible = nodes.Where(n => FitsEverything(pod, n)).Select(n => n.Name).ToHashSet();
            return result.Scheduled
                ? feasible.Contains(result.NodeName!) && result.NodeCount == nodes.Count
                : feasible.Count == 0 && result.FailureCounts.Values.Sum() >= nodes.Count;
        });

    [Fact]
    public void Stopping_early_still_spreads_over_every_node()
    {
        var cache = new SchedulingCache();
        for (var i = 0; i < 1000; i++) cache.UpsertNode(new NodeState($"n{i}", 32_000, 128 * Gi, 110));
        Assert.Equal(420, PodScheduler.Spread.FeasibleNodesToFind(cache.Nodes.Count));
        for (var i = 0; i < 5000; i++)
        {
            var pod = PodDemand.Simple("d", $"p{i}", 100, 100_000_000, ownerUid: $"rs-{i % 10}");
            cache.AddPod(PodScheduler.Spread.Schedule(pod, cache.Nodes).NodeName!, pod);
        }
        // Five pods a node on average: every node got some, none more than twice its share.
        Assert.All(cache.Nodes, n => Assert.InRange(n.PodCount, 1, 10));
    }
}
