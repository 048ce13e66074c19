using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Controllers;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Controllers;

public sealed class ClusterOutagesTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(8);
    private static readonly DateTimeOffset Seen = TestObjects.Now;

    private static DateTimeOffset At(double seconds) => Seen.AddSeconds(seconds);

    /// <summary>A report of <paramref name="outages"/> by a member whose clock runs <paramref name="ahead"/> seconds ahead, received at once.</summary>
    private static MemberOutages Report(double ahead, params StoreOutage[] outages) =>
        new(outages.Select(o => new StoreOutage(o.Start.AddSeconds(ahead), o.End?.AddSeconds(ahead))).ToList(), At(100 + ahead), At(100));

    [Fact]
    public void Another_members_outage_gives_every_node_a_full_grace_after_it_though_this_members_journal_was_fine()
    {
        // Only the other member lost its connection, from 3 s to 33 s: the nodes it served got no heartbeat through.
        var merged = ClusterOutages.Merge([], [Report(0, new StoreOutage(At(3), At(33)))]);
        Assert.Equal([new StoreOutage(At(3), At(33))], merged);
        Assert.Null(NodeDisruption.SilentSince(Seen, merged, At(40), Grace));
        Assert.Equal(At(41), NodeDisruption.SilentSince(Seen, merged, At(42), Grace));
        // Without the other member's report the node would have been silent since 8 s.
        Assert.Equal(At(8), NodeDisruption.SilentSince(Seen, ClusterOutages.Merge([], []), At(40), Grace));
    }

    [Fact]
    public void While_any_member_has_an_open_outage_no_node_is_silent()
    {
        var merged = ClusterOutages.Merge([new StoreOutage(At(1), At(2))], [Report(0, new StoreOutage(At(5), null)), Report(0)]);
        Assert.Equal([new StoreOutage(At(1), At(2)), new StoreOutage(At(5), null)], merged);
        Assert.Null(NodeDisruption.SilentSince(Seen, merged, At(600), Grace));
    }

    [Fact]
    public void Overlapping_outages_of_several_members_join_and_an_open_one_swallows_the_later_ones()
    {
        var merged = ClusterOutages.Merge(
            [new StoreOutage(At(10), At(20)), new StoreOutage(At(50), null)],
            [Report(0, new StoreOutage(At(15), At(30)), new StoreOutage(At(60), At(70))), Report(0, new StoreOutage(At(30), At(35)))]);
        Assert.Equal([new StoreOutage(At(10), At(35)), new StoreOutage(At(50), null)], merged);
    }

    [Fact]
    public void A_members_clock_that_runs_ahead_or_behind_is_corrected_by_its_report()
    {
        var outage = new StoreOutage(At(3), At(33));
        Assert.Equal([outage], ClusterOutages.Merge([], [Report(120, outage)]));
        Assert.Equal([outage], ClusterOutages.Merge([], [Report(-45, outage)]));
        // The time in flight makes the spans later, never earlier: the grace is never shortened.
        var late = new MemberOutages([outage], At(100), At(100.5));
        Assert.Equal([new StoreOutage(At(3.5), At(33.5))], ClusterOutages.Merge([], [late]));
    }

    [Property]
    public Property The_merge_covers_exactly_the_instants_some_member_was_out_in_disjoint_ordered_spans() =>
        Prop.ForAll(
            Gen.Choose(0, 60).Two().ListOf().ToArbitrary(),
            Gen.Choose(0, 60).Two().ListOf().ToArbitrary(),
            Gen.Choose(0, 70).ToArbitrary(),
            (mine, theirs, probe) =>
            {
                static StoreOutage Span((int, int) s) => new(At(Math.Min(s.Item1, s.Item2)), s.Item1 == s.Item2 ? null : At(Math.Max(s.Item1, s.Item2)));
                var own = mine.Select(Span).ToList();
                var other = theirs.Select(Span).ToList();
                var merged = ClusterOutages.Merge(own, [Report(7, [.. other])]);
                static bool Covers(StoreOutage o, DateTimeOffset t) => o.Start <= t && (o.End is not { } end || t <= end);
                var instant = At(probe + 0.5);
                var ordered = merged.Zip(merged.Skip(1)).All(p => p.First.End is { } end && end < p.Second.Start);
                return ordered && merged.Any(o => Covers(o, instant)) == own.Concat(other).Any(o => Covers(o, instant));
            });
}
