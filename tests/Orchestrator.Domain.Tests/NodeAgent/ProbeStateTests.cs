using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.NodeAgent;

namespace Orchestrator.Domain.Tests.NodeAgent;

public sealed class ProbeStateTests
{
    private static readonly DateTimeOffset Started = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(ProbeKind.Liveness, ProbeResult.Success)]
    [InlineData(ProbeKind.Readiness, ProbeResult.Failure)]
    [InlineData(ProbeKind.Startup, ProbeResult.Unknown)]
    public void Starts_where_the_Kubernetes_prober_starts(ProbeKind kind, ProbeResult initial)
    {
        var state = ProbeState.Initial(kind, new ProbeSettings());

        Assert.Equal(initial, state.Result);
        Assert.Null(state.LastProbeAt);
    }

    [Fact]
    public void The_first_probe_waits_for_the_initial_delay_then_one_runs_every_period()
    {
        var state = ProbeState.Initial(ProbeKind.Readiness, new ProbeSettings(InitialDelaySeconds: 5, PeriodSeconds: 3));

        Assert.False(state.IsDue(Started, Started.AddSeconds(4.9)));
        Assert.True(state.IsDue(Started, Started.AddSeconds(5)));

        state = state.Record(true, Started.AddMilliseconds(5200));
        Assert.Equal(Started.AddMilliseconds(8200), state.NextProbeAt(Started));
        Assert.False(state.IsDue(Started, Started.AddSeconds(8)));
        Assert.True(state.IsDue(Started, Started.AddMilliseconds(8200)));
    }

    [Fact]
    public void Readiness_needs_SuccessThreshold_successes_in_a_row_and_FailureThreshold_failures_in_a_row()
    {
        var state = ProbeState.Initial(ProbeKind.Readiness, new ProbeSettings(SuccessThreshold: 2, FailureThreshold: 3));
        var at = Started;
        ProbeResult Probe(bool ok) => (state = state.Record(ok, at = at.AddSeconds(10))).Result;

        Assert.Equal(ProbeResult.Failure, Probe(true));
        Assert.Equal(ProbeResult.Failure, Probe(false));
        Assert.Equal(ProbeResult.Failure, Probe(true));
        Assert.Equal(ProbeResult.Success, Probe(true));
        Assert.Equal(ProbeResult.Success, Probe(false));
        Assert.Equal(ProbeResult.Success, Probe(false));
        Assert.Equal(ProbeResult.Success, Probe(true));
        Assert.Equal(ProbeResult.Success, Probe(false));
        Assert.Equal(ProbeResult.Success, Probe(false));
        Assert.Equal(ProbeResult.Failure, Probe(false));
        Assert.Equal(3, state.ConsecutiveFailures);
        Assert.Equal(0, state.ConsecutiveSuccesses);
    }

    [Fact]
    public void Liveness_fails_after_FailureThreshold_failures()
    {
        var state = ProbeState.Initial(ProbeKind.Liveness, new ProbeSettings(FailureThreshold: 2));

        state = state.Record(false, Started.AddSeconds(10));
        Assert.Equal(ProbeResult.Success, state.Result);
        state = state.Record(false, Started.AddSeconds(20));
        Assert.Equal(ProbeResult.Failure, state.Result);
    }

    [Fact]
    public void Startup_goes_from_Unknown_to_Success_or_Failure()
    {
        var settings = new ProbeSettings(FailureThreshold: 2);

        Assert.Equal(ProbeResult.Success, ProbeState.Initial(ProbeKind.Startup, settings).Record(true, Started).Result);
        var failing = ProbeState.Initial(ProbeKind.Startup, settings).Record(false, Started);
        Assert.Equal(ProbeResult.Unknown, failing.Result);
        Assert.Equal(ProbeResult.Failure, failing.Record(false, Started.AddSeconds(10)).Result);
    }

    [Fact]
    public void Kubernetes_rules_for_settings_hold()
    {
        Assert.Throws<ArgumentException>(() => ProbeState.Initial(ProbeKind.Liveness, new ProbeSettings(SuccessThreshold: 2)));
        Assert.Throws<ArgumentException>(() => ProbeState.Initial(ProbeKind.Startup, new ProbeSettings(SuccessThreshold: 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbeSettings(InitialDelaySeconds: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbeSettings(PeriodSeconds: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbeSettings(TimeoutSeconds: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbeSettings(SuccessThreshold: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbeSettings(FailureThreshold: 0));
        Assert.Equal(TimeSpan.FromSeconds(4), new ProbeSettings(TimeoutSeconds: 4).Timeout);
    }

    [Property]
    public Property The_result_follows_the_last_run_that_reached_its_threshold() =>
        Prop.ForAll(
            Gen.Choose(1, 5).ToArbitrary(),
            Gen.Choose(1, 5).ToArbitrary(),
            Gen.ListOf(Gen.Elements(true, false)).ToArbitrary(),
            (successThreshold, failureThreshold, outcomes) =>
            {
                var state = ProbeState.Initial(ProbeKind.Readiness, new ProbeSettings(SuccessThreshold: successThreshold, FailureThreshold: failureThreshold));
                var expected = ProbeResult.Failure;
                var run = 0;
                bool? last = null;
                var at = Started;
                foreach (var ok in outcomes)
                {
                    run = ok == last ? run + 1 : 1;
                    last = ok;
                    if (ok && run >= successThreshold)
                        expected = ProbeResult.Success;
                    if (!ok && run >= failureThreshold)
                        expected = ProbeResult.Failure;
                    state = state.Record(ok, at = at.AddSeconds(1));
                    if (state.Result != expected)
                        return false;
                }

                return true;
            });
}
