using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.RateLimiting;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Controllers;

public sealed class NodeDisruptionTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(8);
    private static readonly DateTimeOffset Seen = TestObjects.Now;

    private static DateTimeOffset At(double seconds) => Seen.AddSeconds(seconds);

    [Fact]
    public void Without_outages_a_node_is_silent_a_grace_period_after_its_last_heartbeat()
    {
        Assert.Null(NodeDisruption.SilentSince(Seen, [], At(8), Grace));
        Assert.Equal(At(8), NodeDisruption.SilentSince(Seen, [], At(8.5), Grace));
    }

    [Fact]
    public void An_outage_lasts_until_the_view_was_found_current_after_it_ended()
    {
        StoreOutage[] outages = [new(At(-100), At(-90)), new(At(3), At(33))];
        // The journal is back but the view (the index behind the informers) may still lag: nobody is silent yet.
        var lagging = NodeDisruption.AsObserved(outages, null);
        Assert.Equal([outages[0], new StoreOutage(At(3), null)], lagging);
        Assert.Null(NodeDisruption.SilentSince(Seen, lagging, At(600), Grace));
        // A check made after an earlier outage says nothing of this one.
        Assert.Equal(lagging, NodeDisruption.AsObserved(outages, new ViewCurrent(At(-90), At(-89))));
        // Found current 20 s after the journal returned: the grace counts from then.
        var late = NodeDisruption.AsObserved(outages, new ViewCurrent(At(33), At(53)));
        Assert.Equal([outages[0], new StoreOutage(At(3), At(53))], late);
        Assert.Null(NodeDisruption.SilentSince(Seen, late, At(61), Grace));
        Assert.Equal(At(61), NodeDisruption.SilentSince(Seen, late, At(62), Grace));
        // Found current at once: the outage ends when it ended.
        Assert.Equal(outages, NodeDisruption.AsObserved(outages, new ViewCurrent(At(33), At(33))));
    }

    [Fact]
    public void A_node_silent_before_an_outage_stays_silent_while_the_view_catches_up_and_an_open_outage_is_kept_open()
    {
        StoreOutage[] outages = [new(At(20), At(50))];
        Assert.Equal(At(8), NodeDisruption.SilentSince(Seen, NodeDisruption.AsObserved(outages, null), At(51), Grace));
        StoreOutage[] open = [new(At(20), null)];
        Assert.Equal(open, NodeDisruption.AsObserved(open, null));
        Assert.Empty(NodeDisruption.AsObserved([], null));
    }

    [Fact]
    public void During_an_outage_that_began_within_the_grace_period_no_node_is_silent_however_long_it_lasts()
    {
        StoreOutage[] outages = [new(At(3), null)];
        Assert.Null(NodeDisruption.SilentSince(Seen, outages, At(9), Grace));
        Assert.Null(NodeDisruption.SilentSince(Seen, outages, At(600), Grace));
    }

    [Fact]
    public void After_an_outage_every_node_gets_a_full_grace_period_of_healthy_store()
    {
        StoreOutage[] outages = [new(At(3), At(33))];
        Assert.Null(NodeDisruption.SilentSince(Seen, outages, At(40), Grace));
        Assert.Null(NodeDisruption.SilentSince(Seen, outages, At(41), Grace));
        Assert.Equal(At(41), NodeDisruption.SilentSince(Seen, outages, At(42), Grace));
    }

    [Fact]
    public void Several_outages_each_restart_the_grace_and_earlier_or_later_ones_do_not_matter()
    {
        StoreOutage[] outages =
        [
            new(At(-60), At(-50)), // ended before the heartbeat
            new(At(2), At(5)),
            new(At(10), At(12)), // within the grace after the first outage's end
            new(At(40), At(45)), // after the node had been silent for a full grace: it was silent already
        ];
        Assert.Equal(At(20), NodeDisruption.SilentSince(Seen, outages, At(50), Grace));
        Assert.Null(NodeDisruption.SilentSince(Seen, outages, At(19), Grace));
    }

    [Fact]
    public void A_heartbeat_seen_after_an_outage_counts_from_the_heartbeat()
    {
        StoreOutage[] outages = [new(At(-20), At(-10))];
        Assert.Equal(At(8), NodeDisruption.SilentSince(Seen, outages, At(9), Grace));
    }

    [Property]
    public Property Silence_never_overlaps_an_outage_and_always_follows_a_full_healthy_grace() =>
        Prop.ForAll(
            Gen.Choose(0, 40).Two().ListOf().ToArbitrary(),
            Gen.Choose(0, 120).ToArbitrary(),
            (spans, now) =>
            {
                var outages = spans.Select(s => new StoreOutage(At(Math.Min(s.Item1, s.Item2)), At(Math.Min(s.Item1, s.Item2) + Math.Abs(s.Item1 - s.Item2) + 1))).ToList();
                var silent = NodeDisruption.SilentSince(Seen, outages, At(now), Grace);
                if (silent is null) return true;
                // The grace before the silence began was free of outages, and so it began after the heartbeat.
                var healthyFrom = silent.Value - Grace;
                return healthyFrom >= Seen && silent < At(now)
                    && outages.All(o => o.End <= healthyFrom || o.Start >= silent);
            });

    [Fact]
    public void A_member_without_its_journal_or_without_a_majority_never_evicts()
    {
        Assert.Null(NodeDisruption.CutOff(ControlPlaneView.Healthy));
        Assert.Null(NodeDisruption.CutOff(new ControlPlaneView(true, 2, 3)));
        var journal = NodeDisruption.CutOff(new ControlPlaneView(false, 3, 3));
        Assert.Equal(EvictionHold.ControlPlaneCutOff, journal?.Reason);
        Assert.Contains("journal", journal!.Message, StringComparison.Ordinal);
        var alone = NodeDisruption.CutOff(new ControlPlaneView(true, 1, 3));
        Assert.Contains("1 of 3", alone!.Message, StringComparison.Ordinal);
        Assert.NotNull(NodeDisruption.CutOff(new ControlPlaneView(true, 2, 4))); // half is no majority
    }

    [Theory]
    [InlineData(3, 2, true)] // 67% > 55%
    [InlineData(3, 1, false)]
    [InlineData(2, 1, false)] // a single dead node of two is replaced
    [InlineData(2, 2, true)]
    [InlineData(1, 1, false)]
    [InlineData(10, 5, false)] // 50%
    [InlineData(10, 6, true)]
    [InlineData(100, 55, false)] // exactly the threshold is not more than it
    public void Evictions_are_held_when_more_than_the_threshold_of_nodes_and_at_least_the_minimum_are_unhealthy(int nodes, int unhealthy, bool held)
    {
        var hold = NodeDisruption.Disruption(nodes, unhealthy, DisruptionSettings.Default);
        Assert.Equal(held, hold is not null);
        if (hold is not null)
        {
            Assert.Equal(EvictionHold.ClusterDisruption, hold.Reason);
            Assert.Contains($"{unhealthy} of {nodes} nodes", hold.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_cut_off_member_is_the_first_reason_given()
    {
        var hold = NodeDisruption.Hold(new ControlPlaneView(false, 3, 3), 3, 3, DisruptionSettings.Default);
        Assert.Equal(EvictionHold.ControlPlaneCutOff, hold?.Reason);
        Assert.Null(NodeDisruption.Hold(ControlPlaneView.Healthy, 3, 1, DisruptionSettings.Default));
    }

    [Fact]
    public void The_held_condition_is_true_with_the_reason_and_false_once_evictions_may_go_on()
    {
        var held = NodeDisruption.EvictionHeldPatch(new EvictionHold("ClusterDisruption", "2 of 3"), TestObjects.Now)["status"]!["conditions"]![0]!;
        Assert.Equal(NodeDisruption.EvictionHeldCondition, held["type"]!.GetValue<string>());
        Assert.Equal("True", held["status"]!.GetValue<string>());
        Assert.Equal("ClusterDisruption", held["reason"]!.GetValue<string>());
        var cleared = NodeDisruption.EvictionHeldPatch(null, TestObjects.Now)["status"]!["conditions"]![0]!;
        Assert.Equal("False", cleared["status"]!.GetValue<string>());
    }

    [Fact]
    public void The_rate_limiter_admits_a_burst_then_one_node_per_interval()
    {
        var limiter = TokenBucket.Start(0.1, 1, TestObjects.Now);
        var (first, after) = limiter.TryTake(TestObjects.Now);
        Assert.True(first);
        var (second, waiting) = after.TryTake(TestObjects.Now.AddSeconds(1));
        Assert.False(second);
        Assert.Equal(TestObjects.Now.AddSeconds(10), waiting.NextTokenAt(TestObjects.Now.AddSeconds(1)));
        Assert.False(waiting.TryTake(TestObjects.Now.AddSeconds(9.9)).Taken);
        Assert.True(waiting.TryTake(TestObjects.Now.AddSeconds(10)).Taken);
        // Unused tokens do not pile up beyond the burst.
        var idle = after.TryTake(TestObjects.Now.AddMinutes(10)).Next;
        Assert.False(idle.TryTake(TestObjects.Now.AddMinutes(10)).Taken);
    }

    [Fact]
    public void A_rate_of_zero_admits_nothing()
    {
        var limiter = TokenBucket.Start(0, 2, TestObjects.Now);
        var (taken, later) = limiter.TryTake(TestObjects.Now.AddHours(1));
        Assert.False(taken);
        Assert.Null(later.NextTokenAt(TestObjects.Now.AddHours(1)));
    }
}
