using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Domain.Events;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Events;

public class EventAggregatorTests
{
    private readonly FakeTimeProvider _time = new(TestObjects.Now);

    private static EventKey Key(string reason = "BackOff", string message = "Back-off restarting failed container app", string pod = "web", string? fieldPath = "spec.containers{app}", string host = "node-a") =>
        new("default", "Pod", pod, "uid-" + pod, fieldPath, "Warning", reason, message, "kubelet", host);

    [Fact]
    public void A_repeat_updates_the_first_event_with_count_and_lastTimestamp()
    {
        var aggregator = new EventAggregator(16, _time);
        var first = aggregator.Observe(Key());
        _time.Advance(TimeSpan.FromSeconds(10));
        var second = aggregator.Observe(Key());
        _time.Advance(TimeSpan.FromSeconds(20));
        var third = aggregator.Observe(Key());

        Assert.True(first.IsNew);
        Assert.Equal(1, first.Count);
        Assert.Equal(first.FirstTimestamp, first.LastTimestamp);
        Assert.False(second.IsNew);
        Assert.False(third.IsNew);
        Assert.Equal(first.Name, third.Name);
        Assert.Equal(3, third.Count);
        Assert.Equal(TestObjects.Now, third.FirstTimestamp);
        Assert.Equal(TestObjects.Now + TimeSpan.FromSeconds(30), third.LastTimestamp);
        Assert.Equal(1, aggregator.Count);
    }

    [Theory]
    [InlineData("Started", "Back-off restarting failed container app", "web", "spec.containers{app}", "node-a")]
    [InlineData("BackOff", "Back-off restarting failed container other", "web", "spec.containers{app}", "node-a")]
    [InlineData("BackOff", "Back-off restarting failed container app", "db", "spec.containers{app}", "node-a")]
    [InlineData("BackOff", "Back-off restarting failed container app", "web", "spec.containers{sidecar}", "node-a")]
    [InlineData("BackOff", "Back-off restarting failed container app", "web", "spec.containers{app}", "node-b")]
    public void An_event_differing_in_object_reason_message_or_source_is_a_new_event(string reason, string message, string pod, string fieldPath, string host)
    {
        var aggregator = new EventAggregator(16, _time);
        var first = aggregator.Observe(Key());
        var other = aggregator.Observe(Key(reason, message, pod, fieldPath, host));

        Assert.True(other.IsNew);
        Assert.NotEqual(first.Name, other.Name);
        Assert.Equal(1, other.Count);
    }

    [Fact]
    public void Two_new_events_in_one_tick_get_different_names()
    {
        var aggregator = new EventAggregator(16, _time);
        Assert.NotEqual(aggregator.Observe(Key("Created")).Name, aggregator.Observe(Key("Started")).Name);
    }

    [Fact]
    public void Beyond_capacity_the_least_recently_seen_key_is_forgotten_and_starts_over()
    {
        var aggregator = new EventAggregator(2, _time);
        aggregator.Observe(Key("A"));
        aggregator.Observe(Key("B"));
        aggregator.Observe(Key("A")); // A seen last: B is the oldest
        aggregator.Observe(Key("C"));

        Assert.Equal(2, aggregator.Count);
        Assert.False(aggregator.Observe(Key("A")).IsNew);
        Assert.True(aggregator.Observe(Key("B")).IsNew);
    }

    [Fact]
    public void A_forgotten_key_starts_a_new_event()
    {
        var aggregator = new EventAggregator(16, _time);
        var first = aggregator.Observe(Key());
        aggregator.Forget(Key());
        _time.Advance(TimeSpan.FromSeconds(1));
        var again = aggregator.Observe(Key());

        Assert.True(again.IsNew);
        Assert.NotEqual(first.Name, again.Name);
        Assert.Equal(1, again.Count);
    }

    [Fact]
    public void The_event_object_names_the_container_and_the_reporting_node()
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "shop", ["uid"] = "u1" },
        };
        var key = EventObject.KeyOf(pod, "spec.containers{app}", "Normal", "Started", "Started container app", "kubelet", "node-a");
        var write = new EventAggregator(16, _time).Observe(key);
        var e = EventObject.Build(pod, key, write);

        Assert.Equal("shop", e["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("spec.containers{app}", e["involvedObject"]!["fieldPath"]!.GetValue<string>());
        Assert.Equal("u1", e["involvedObject"]!["uid"]!.GetValue<string>());
        Assert.Equal("kubelet", e["source"]!["component"]!.GetValue<string>());
        Assert.Equal("node-a", e["source"]!["host"]!.GetValue<string>());
        Assert.Equal(1, e["count"]!.GetValue<int>());
        Assert.Empty(EventKind.Instance.Validate(e));
    }
}
