using System.Net;
using Orchestrator.Runtime;

namespace Orchestrator.Runtime.Tests;

public sealed class PodNetworkCandidatesTests
{
    [Fact]
    public void Every_24_of_the_pool_is_tried_once_starting_where_the_node_name_points_each_with_its_first_address_as_gateway()
    {
        var pool = IPNetwork.Parse("10.244.0.0/22");
        var candidates = PodNetwork.Candidates(pool, "node-a").ToList();
        Assert.Equal(4, candidates.Count);
        Assert.Equal(
            ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24", "10.244.3.0/24"],
            candidates.Select(c => c.Subnet.ToString()).Order(StringComparer.Ordinal));
        Assert.All(candidates, c => Assert.Equal(PodNetwork.ToUInt32(c.Subnet.BaseAddress) + 1, PodNetwork.ToUInt32(c.Gateway)));
        Assert.Equal(candidates, PodNetwork.Candidates(pool, "node-a").ToList());
    }

    [Fact]
    public void Nodes_of_different_names_mostly_start_at_different_subnets()
    {
        var pool = IPNetwork.Parse("10.244.0.0/16");
        var firsts = Enumerable.Range(0, 20).Select(i => PodNetwork.Candidates(pool, $"node-{i}").First().Subnet).Distinct().Count();
        Assert.True(firsts >= 15, $"only {firsts} distinct first subnets of 20 nodes");
    }

    [Theory]
    [InlineData("10.244.0.0/25")]
    [InlineData("fd00::/64")]
    public void A_pool_smaller_than_a_24_or_not_IPv4_is_refused(string pool) =>
        Assert.Throws<ArgumentException>(() => PodNetwork.Candidates(IPNetwork.Parse(pool), "n").ToList());
}
