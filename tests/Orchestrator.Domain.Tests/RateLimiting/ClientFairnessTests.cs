using Orchestrator.Domain.RateLimiting;

namespace Orchestrator.Domain.Tests.RateLimiting;

public class ClientFairnessTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly FairnessLimits Limits = new(MaxInFlight: 2, MaxQueued: 2, MaxWait: TimeSpan.FromSeconds(5), RefusalsPerSecond: 2, RefusalBurst: 3);

    private sealed record Request(string Name);

    [Fact]
    public void A_client_gets_its_slots_then_waits_in_order_then_is_refused_when_its_queue_is_full()
    {
        var fairness = new ClientFairness<Request>(Limits);
        Request a = new("a"), b = new("b"), c = new("c"), d = new("d"), e = new("e");
        Assert.Equal(Admission.Admitted, fairness.Arrive("ip:1", a, T0));
        Assert.Equal(Admission.Admitted, fairness.Arrive("ip:1", b, T0));
        Assert.Equal(Admission.Queued, fairness.Arrive("ip:1", c, T0));
        Assert.Equal(Admission.Queued, fairness.Arrive("ip:1", d, T0));
        Assert.Equal(Admission.Refused, fairness.Arrive("ip:1", e, T0));

        Assert.Equal([c], fairness.Finish("ip:1", refused: false, T0));
        Assert.Equal([d], fairness.Finish("ip:1", refused: false, T0));
        Assert.Empty(fairness.Finish("ip:1", refused: false, T0));
    }

    [Fact]
    public void One_clients_flood_leaves_another_client_its_own_slots()
    {
        var fairness = new ClientFairness<Request>(Limits);
        for (var i = 0; i < 2; i++) Assert.Equal(Admission.Admitted, fairness.Arrive("ip:flood", new Request($"f{i}"), T0));
        for (var i = 2; i < 4; i++) Assert.Equal(Admission.Queued, fairness.Arrive("ip:flood", new Request($"f{i}"), T0));
        Assert.Equal(Admission.Refused, fairness.Arrive("ip:flood", new Request("f4"), T0));
        Assert.Equal(Admission.Admitted, fairness.Arrive("ip:good", new Request("g"), T0));
        Assert.Equal(Admission.Admitted, fairness.Arrive("token:0", new Request("t"), T0));
    }

    [Fact]
    public void A_client_that_spent_its_refusal_budget_is_served_one_request_at_a_time_at_the_rate()
    {
        var fairness = new ClientFairness<Request>(Limits);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Admission.Admitted, fairness.Arrive("ip:bad", new Request($"r{i}"), T0));
            fairness.Finish("ip:bad", refused: true, T0);
        }
        var next = new Request("next");
        Assert.Equal(Admission.Queued, fairness.Arrive("ip:bad", next, T0));
        Assert.Equal(T0.AddSeconds(0.5), fairness.BudgetAllowsAt("ip:bad", T0));
        Assert.Equal(TimeSpan.FromSeconds(1), fairness.RetryAfter("ip:bad", T0)); // at least a second
        Assert.Empty(fairness.Dispatch("ip:bad", T0.AddSeconds(0.4)));
        Assert.Equal([next], fairness.Dispatch("ip:bad", T0.AddSeconds(0.5)));

        // One in flight: a second request needs a token for both, as the first may yet be refused.
        var second = new Request("second");
        Assert.Equal(Admission.Queued, fairness.Arrive("ip:bad", second, T0.AddSeconds(0.5)));
        Assert.Equal(T0.AddSeconds(1.0), fairness.BudgetAllowsAt("ip:bad", T0.AddSeconds(0.5)));
        Assert.Equal([second], fairness.Dispatch("ip:bad", T0.AddSeconds(1.0)));
    }

    [Fact]
    public void Requests_that_succeed_spend_no_budget()
    {
        var fairness = new ClientFairness<Request>(Limits);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(Admission.Admitted, fairness.Arrive("ip:good", new Request($"r{i}"), T0));
            fairness.Finish("ip:good", refused: false, T0);
        }
    }

    [Fact]
    public void A_waiter_that_gives_up_leaves_the_queue_unless_it_was_admitted_meanwhile()
    {
        var fairness = new ClientFairness<Request>(Limits);
        fairness.Arrive("ip:1", new Request("a"), T0);
        fairness.Arrive("ip:1", new Request("b"), T0);
        Request c = new("c"), d = new("d");
        fairness.Arrive("ip:1", c, T0);
        fairness.Arrive("ip:1", d, T0);
        Assert.True(fairness.Withdraw("ip:1", c, T0));
        Assert.Equal([d], fairness.Finish("ip:1", refused: false, T0));
        Assert.False(fairness.Withdraw("ip:1", d, T0));
    }

    [Fact]
    public void Idle_clients_are_forgotten_once_their_budget_is_full_again()
    {
        var fairness = new ClientFairness<Request>(Limits);
        fairness.Arrive("ip:good", new Request("g"), T0);
        fairness.Finish("ip:good", refused: false, T0);
        Assert.Equal(0, fairness.TrackedClients);

        fairness.Arrive("ip:bad", new Request("b"), T0);
        fairness.Finish("ip:bad", refused: true, T0);
        Assert.Equal(1, fairness.TrackedClients); // its budget is not full yet
        for (var i = 0; i < 1024; i++) // arrivals sweep the table now and then
        {
            var later = T0.AddSeconds(10);
            fairness.Arrive($"ip:{i}", new Request("x"), later);
            fairness.Finish($"ip:{i}", refused: false, later);
        }
        Assert.Equal(0, fairness.TrackedClients);
    }

    [Fact]
    public void A_long_running_request_frees_its_slot_when_it_starts_and_its_refusal_is_still_charged()
    {
        var fairness = new ClientFairness<Request>(Limits with { MaxInFlight = 1, RefusalBurst = 1 });
        Assert.Equal(Admission.Admitted, fairness.Arrive("ip:1", new Request("watch"), T0));
        fairness.Finish("ip:1", refused: false, T0); // started
        Assert.Equal(Admission.Admitted, fairness.Arrive("ip:1", new Request("get"), T0));
        fairness.Finish("ip:1", refused: false, T0);
        fairness.ChargeRefusal("ip:1", T0); // the watch ended in a 400
        Assert.Equal(Admission.Queued, fairness.Arrive("ip:1", new Request("after"), T0));
    }

    [Theory]
    [InlineData(400, true)]
    [InlineData(408, true)]
    [InlineData(413, true)]
    [InlineData(422, true)]
    [InlineData(200, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(410, false)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    public void Only_answers_to_bad_input_spend_the_budget(int code, bool refusal)
    {
        Assert.Equal(refusal, FairnessLimits.IsRefusal(code));
    }
}
