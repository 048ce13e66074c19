using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.NodeAgent;

namespace Orchestrator.Domain.Tests.NodeAgent;

public sealed class RestartBackoffTests
{
    private static readonly RestartBackoff Backoff = RestartBackoff.Kubernetes;
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Delays_double_from_10_seconds_to_a_5_minute_cap()
    {
        var delays = Enumerable.Range(1, 8).Select(n => Backoff.DelayAfter(n).TotalSeconds);

        Assert.Equal([10, 20, 40, 80, 160, 300, 300, 300], delays);
        Assert.Equal(TimeSpan.FromMinutes(5), Backoff.DelayAfter(int.MaxValue));
    }

    [Fact]
    public void A_crash_loop_waits_longer_after_every_exit_counted_from_the_exit()
    {
        BackoffState? state = null;
        var now = T0;
        var waits = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            var started = now;
            var finished = started.AddSeconds(1);
            state = Backoff.AfterExit(state, started, finished);
            waits.Add(state.Delay.TotalSeconds);
            Assert.Equal(finished + state.Delay, state.RestartAt);
            Assert.Equal(i + 1, state.ConsecutiveExits);
            now = state.RestartAt;
        }

        Assert.Equal([10, 20, 40, 80, 160, 300, 300], waits);
    }

    [Fact]
    public void A_run_of_10_minutes_resets_the_delay()
    {
        var looping = Backoff.AfterExit(Backoff.AfterExit(Backoff.AfterExit(null, T0, T0.AddSeconds(1)), T0, T0.AddSeconds(1)), T0, T0.AddSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(40), looping.Delay);

        var almost = Backoff.AfterExit(looping, T0, T0.AddMinutes(10).AddSeconds(-1));
        Assert.Equal(TimeSpan.FromSeconds(80), almost.Delay);

        var reset = Backoff.AfterExit(looping, T0, T0.AddMinutes(10));
        Assert.Equal(TimeSpan.FromSeconds(10), reset.Delay);
        Assert.Equal(1, reset.ConsecutiveExits);
    }

    [Fact]
    public void Backing_off_until_the_restart_time()
    {
        var state = Backoff.AfterExit(null, T0, T0.AddSeconds(2));

        Assert.True(state.IsBackingOff(T0.AddSeconds(2)));
        Assert.Equal(TimeSpan.FromSeconds(3), state.Remaining(T0.AddSeconds(9)));
        Assert.True(state.IsBackingOff(T0.AddSeconds(11.999)));
        Assert.False(state.IsBackingOff(T0.AddSeconds(12)));
        Assert.Equal(TimeSpan.Zero, state.Remaining(T0.AddHours(1)));
    }

    [Fact]
    public void Nonsense_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RestartBackoff(TimeSpan.Zero, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RestartBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RestartBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(50), TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.DelayAfter(0));
    }

    [Property]
    public Property The_delay_stays_between_initial_and_max_and_never_shrinks_in_a_loop() =>
        Prop.ForAll(
            Gen.Choose(1, 1_000).ToArbitrary(),
            Gen.Choose(1, 600).ToArbitrary(),
            Gen.Choose(1, 200).ToArbitrary(),
            (initialSeconds, maxFactor, exits) =>
            {
                var backoff = new RestartBackoff(TimeSpan.FromSeconds(initialSeconds), TimeSpan.FromSeconds(initialSeconds * (double)maxFactor), TimeSpan.FromMinutes(10));
                var delay = backoff.DelayAfter(exits);
                var next = backoff.DelayAfter(exits + 1);
                return delay >= backoff.Initial && delay <= backoff.Max && next >= delay && (next == backoff.Max || next == delay * 2);
            });

    [Property]
    public Property Exits_after_short_runs_count_up_and_long_runs_start_over() =>
        Prop.ForAll(
            Gen.ListOf(Gen.Choose(0, 1_200)).ToArbitrary(),
            runSeconds =>
            {
                BackoffState? state = null;
                var now = T0;
                var expectedExits = 0;
                foreach (var run in runSeconds)
                {
                    var finished = now.AddSeconds(run);
                    state = Backoff.AfterExit(state, now, finished);
                    expectedExits = run >= 600 ? 1 : expectedExits + 1;
                    if (state.ConsecutiveExits != expectedExits || state.Delay != Backoff.DelayAfter(expectedExits))
                        return false;
                    now = state.RestartAt;
                }

                return true;
            });
}
