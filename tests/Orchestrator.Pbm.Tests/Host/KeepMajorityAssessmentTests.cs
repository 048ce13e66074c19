using Orchestrator.CommandHost.Palettes.Cluster;

namespace Orchestrator.Pbm.Tests.Host;

public sealed class KeepMajorityAssessmentTests
{
    private static ResolverMember Member(string host, int port, bool reachable) =>
        new($"akka.tcp://sys@{host}:{port}", host, port, reachable);

    [Fact]
    public void Without_unreachable_members_there_is_nothing_to_decide()
    {
        var outcome = KeepMajorityAssessment.Assess([Member("a", 1, true), Member("b", 1, true)]);

        Assert.Equal(KeepMajorityAssessment.DecisionNoPartition, outcome.Decision);
    }

    [Fact]
    public void The_majority_side_stays()
    {
        var outcome = KeepMajorityAssessment.Assess([Member("a", 1, true), Member("b", 1, true), Member("c", 1, false)]);

        Assert.Equal(KeepMajorityAssessment.DecisionKeepThisSide, outcome.Decision);
        Assert.Equal((2, 1), (outcome.ReachableCount, outcome.UnreachableCount));
    }

    [Fact]
    public void The_minority_side_downs_itself()
    {
        var outcome = KeepMajorityAssessment.Assess([Member("a", 1, true), Member("b", 1, false), Member("c", 1, false)]);

        Assert.Equal(KeepMajorityAssessment.DecisionDownThisSide, outcome.Decision);
    }

    [Theory]
    [InlineData(true, KeepMajorityAssessment.DecisionKeepThisSide)]
    [InlineData(false, KeepMajorityAssessment.DecisionDownThisSide)]
    public void On_a_tie_the_side_with_the_lowest_address_stays(bool lowestIsReachable, string expected)
    {
        var outcome = KeepMajorityAssessment.Assess(
        [
            Member("10.0.0.2", 4053, !lowestIsReachable),
            Member("10.0.0.1", 4054, lowestIsReachable),
        ]);

        Assert.Equal(expected, outcome.Decision);
        Assert.Contains("10.0.0.1:4054", outcome.Explanation, StringComparison.Ordinal);
    }
}
