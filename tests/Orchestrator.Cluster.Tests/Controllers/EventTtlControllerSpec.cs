using System.Text.Json.Nodes;
using Akka.TestKit.Xunit2;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Stores;

namespace Orchestrator.Cluster.Tests.Controllers;

/// <summary>The Event TTL controller on the in-memory store: expired Events go, others stay until they are due.</summary>
public sealed class EventTtlControllerSpec : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly InMemoryStore _store = new();

    private void Event(string name, DateTimeOffset lastSeen) => _store.Put(EventKind.Instance, new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Event",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["creationTimestamp"] = ObjectMeta.FormatTime(lastSeen) },
        ["lastTimestamp"] = ObjectMeta.FormatTime(lastSeen),
        ["reason"] = "BackOff",
    });

    private bool Has(string name) => _store.Find("Event", "default", name) is not null;

    [Fact]
    public void An_event_last_seen_more_than_the_ttl_ago_is_deleted_and_nothing_else_is_touched()
    {
        var now = TimeProvider.System.GetUtcNow();
        Event("old", now.AddHours(-2));
        Event("fresh", now.AddMinutes(-5));
        _store.Put(ConfigMapKind.Instance, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "kept", ["namespace"] = "default" } });
        Sys.ActorOf(EventTtlController.Props(_store, TimeSpan.FromHours(1), TimeProvider.System));

        AwaitAssert(() => Assert.False(Has("old")), Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.True(Has("fresh"));
        lock (_store.Writes) Assert.Equal(["delete Event default/old"], _store.Writes);
    }

    [Fact]
    public void An_event_not_yet_expired_is_deleted_when_it_is_due_and_a_ttl_of_zero_keeps_everything()
    {
        Event("soon", TimeProvider.System.GetUtcNow());
        Sys.ActorOf(EventTtlController.Props(_store, TimeSpan.FromSeconds(2), TimeProvider.System), "short");
        Assert.True(Has("soon"));
        AwaitAssert(() => Assert.False(Has("soon")), Wait);

        var never = new InMemoryStore();
        never.Put(EventKind.Instance, new JsonObject { ["kind"] = "Event", ["metadata"] = new JsonObject { ["name"] = "ancient", ["namespace"] = "default", ["creationTimestamp"] = "2000-01-01T00:00:00Z" } });
        Sys.ActorOf(EventTtlController.Props(never, TimeSpan.Zero, TimeProvider.System), "zero");
        AwaitCondition(() => never.WatchCount("Event") > 0, Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.NotNull(never.Find("Event", "default", "ancient"));
    }
}
