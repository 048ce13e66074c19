namespace Orchestrator.Domain.Controllers;

/// <summary>
/// What another control-plane member reported of its own journal outages: the spans on its clock,
/// as of <see cref="ReportedAt"/> (its clock), received on this member at <see cref="ReceivedAt"/>
/// (this member's clock).
/// </summary>
public sealed record MemberOutages(IReadOnlyList<StoreOutage> Outages, DateTimeOffset ReportedAt, DateTimeOffset ReceivedAt)
{
    /// <summary>
    /// The outages on this member's clock: shifted by the difference of the two clocks as this
    /// report measured it. That difference includes the report's time in flight, so the spans come
    /// out a little later than they were, never earlier: a grace period counted from their end is
    /// never shortened.
    /// </summary>
    public IEnumerable<StoreOutage> OnReceiverClock()
    {
        var shift = ReceivedAt - ReportedAt;
        return Outages.Select(o => new StoreOutage(o.Start + shift, o.End + shift));
    }
}

/// <summary>
/// The journal outages of every control-plane member merged into one list, as the node lifecycle
/// controller judges heartbeats by: a heartbeat is lost when the member its node agent talks to
/// cannot write (its store refuses writes while its journal is unavailable), and when the member
/// hosting the Node's entity cannot persist it. Which member hosts which entity is up to the shard
/// allocation and changes on rebalance and failover, so an outage of any member may have cost any
/// node its heartbeats: every node gets its full grace period after each member's outage.
/// </summary>
public static class ClusterOutages
{
    /// <summary>
    /// The union of <paramref name="own"/> (this member's outages, on its clock) and the others'
    /// (<see cref="MemberOutages.OnReceiverClock"/>): oldest first, overlapping or touching spans
    /// joined into one, and an open span (no end) swallowing every later one, since the store was
    /// not healthy everywhere from its start on.
    /// </summary>
    public static IReadOnlyList<StoreOutage> Merge(IEnumerable<StoreOutage> own, IEnumerable<MemberOutages> others)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(others);
        var merged = new List<StoreOutage>();
        foreach (var outage in own.Concat(others.SelectMany(o => o.OnReceiverClock())).OrderBy(o => o.Start))
        {
            if (merged.Count > 0 && merged[^1] is var last && (last.End is not { } lastEnd || outage.Start <= lastEnd))
            {
                merged[^1] = last with { End = last.End is { } a && outage.End is { } b ? (a > b ? a : b) : null };
                continue;
            }
            merged.Add(outage);
        }
        return merged;
    }
}
