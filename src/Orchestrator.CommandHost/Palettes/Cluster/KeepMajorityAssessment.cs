namespace Orchestrator.CommandHost.Palettes.Cluster;

/// <summary>A member as the split-brain resolver counts it.</summary>
/// <param name="Address">The member's full address.</param>
/// <param name="Host">Host part, first key of Akka's member ordering.</param>
/// <param name="Port">Port part, second key of that ordering.</param>
/// <param name="IsReachable">False when this node (or the cluster's failure detectors) marked it unreachable.</param>
public sealed record ResolverMember(string Address, string Host, int Port, bool IsReachable);

/// <summary>What keep-majority would decide, seen from this node.</summary>
/// <param name="ReachableCount">Members counted on this side.</param>
/// <param name="UnreachableCount">Members counted on the other side.</param>
/// <param name="Decision">One of the <c>Decision*</c> constants.</param>
/// <param name="Explanation">Why, in a sentence.</param>
public sealed record KeepMajorityOutcome(int ReachableCount, int UnreachableCount, string Decision, string Explanation);

/// <summary>
/// The keep-majority rule of Akka's split-brain resolver, applied to the membership this node
/// sees: the side with more members stays up and downs the other; on a tie, the side holding the
/// member with the lowest address (host, then port) stays. Pure, so it is unit-tested directly.
/// It is an estimate: the resolver decides only after <c>stable-after</c> of unchanged
/// reachability, and the other side may see a different picture.
/// </summary>
public static class KeepMajorityAssessment
{
    public const string DecisionNoPartition = "no-partition";
    public const string DecisionKeepThisSide = "keep-this-side";
    public const string DecisionDownThisSide = "down-this-side";

    public static KeepMajorityOutcome Assess(IReadOnlyCollection<ResolverMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var reachable = members.Count(m => m.IsReachable);
        var unreachable = members.Count - reachable;
        if (unreachable == 0)
            return new KeepMajorityOutcome(reachable, 0, DecisionNoPartition,
                "every counted member is reachable: the resolver has nothing to decide.");
        if (reachable > unreachable)
            return new KeepMajorityOutcome(reachable, unreachable, DecisionKeepThisSide,
                $"this side has the majority ({reachable} of {members.Count}): it would down the {unreachable} unreachable member(s).");
        if (reachable < unreachable)
            return new KeepMajorityOutcome(reachable, unreachable, DecisionDownThisSide,
                $"this side is a minority ({reachable} of {members.Count}): it would down itself.");

        var lowest = members
            .OrderBy(m => m.Host, StringComparer.Ordinal)
            .ThenBy(m => m.Port)
            .First();
        return lowest.IsReachable
            ? new KeepMajorityOutcome(reachable, unreachable, DecisionKeepThisSide,
                $"equal sides ({reachable} each); this side holds the lowest address {lowest.Address}, so it stays.")
            : new KeepMajorityOutcome(reachable, unreachable, DecisionDownThisSide,
                $"equal sides ({reachable} each); the other side holds the lowest address {lowest.Address}, so this side would be downed.");
    }
}
