using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Cluster.Journal;
using Orchestrator.Cluster.Membership;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Builders;
using Orchestrator.TestSupport.Stores;

namespace Orchestrator.Cluster.Tests.Controllers;

/// <summary>
/// The node lifecycle controller under journal outages, mass silence, several dead nodes and a
/// member cut off from the cluster: the clock is a <see cref="FakeTimeProvider"/>, the store fake.
/// </summary>
public sealed class NodeDisruptionSpec : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly InMemoryStore _store = new();
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private readonly ControllerSettings _settings = ControllerSettings.Default with { NodeMonitorPeriod = TimeSpan.FromMilliseconds(50) };

    private void Nodes(params string[] names)
    {
        foreach (var name in names)
        {
            _store.Put(NodeKind.Instance, TestObjects.Node(name, heartbeat: _time.GetUtcNow()));
            _store.Put(PodKind.Instance, TestObjects.Pod($"{name}-pod", node: name, phase: "Pending"));
        }
    }

    /// <summary>The node's agent reports (a new lastHeartbeatTime).</summary>
    private void Heartbeat(string name)
    {
        var node = _store.Find("Node", "", name)!;
        var ready = PodHelpers.Condition(node, "Ready")!;
        ready["lastHeartbeatTime"] = ObjectMeta.FormatTime(_time.GetUtcNow());
        ready["status"] = "True";
        _store.Put(NodeKind.Instance, node);
    }

    private IActorRef Start(MemberLiveness? members = null, JournalHealth? journal = null, ClusterJournalHealth? cluster = null)
    {
        var health = cluster ?? (journal is null ? null : ClusterJournalHealth.LocalOnly(journal));
        var controller = Sys.ActorOf(NodeLifecycleController.Props(_store, _settings, _time, members, health));
        AwaitCondition(() => _store.WatchCount("Node") > 0 && _store.WatchCount("Pod") > 0, Wait);
        // The lists were told to the controller before its watches opened: once it answers this,
        // it has seen every node's heartbeat at the current (fake) time.
        controller.Ask<ActorIdentity>(new Identify(null), Wait).Wait(Wait);
        return controller;
    }

    /// <summary>The journal is back: waits until the controller has found its view current (a list answered) and handled that.</summary>
    private void JournalBack(JournalHealth journal, IActorRef controller)
    {
        var lists = _store.ListsAnswered;
        journal.Succeeded();
        AwaitCondition(() => _store.ListsAnswered > lists, Wait);
        controller.Ask<ActorIdentity>(new Identify(null), Wait).Wait(Wait);
    }

    private string? Ready(string node) => PodHelpers.Condition(_store.Find("Node", "", node)!, "Ready").GetString("status");

    private JsonObject? Held(string node) => PodHelpers.Condition(_store.Find("Node", "", node)!, NodeDisruption.EvictionHeldCondition);

    private bool HasPod(string node) => _store.Find("Pod", "default", $"{node}-pod") is not null;

    [Fact]
    public void Heartbeats_missed_during_a_journal_outage_do_not_count_and_every_node_gets_a_full_grace_after_it()
    {
        var journal = new JournalHealth(_time);
        Nodes("n1", "n2", "n3");
        var controller = Start(journal: journal);
        var start = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromSeconds(3));
        journal.Failed(); // the store goes away: no heartbeat gets through for 30 s
        _time.Advance(TimeSpan.FromSeconds(30));
        JournalBack(journal, controller);
        _time.Advance(TimeSpan.FromSeconds(4));
        Heartbeat("n1"); // n1 and n3 report again once the store is back; n2 is dead
        Heartbeat("n3");
        _time.Advance(TimeSpan.FromSeconds(5));

        // n2 is silent since the outage ended plus the grace (8 s), not since its last heartbeat.
        AwaitAssert(() => Assert.Equal("Unknown", Ready("n2")), Wait);
        var unknown = PodHelpers.Condition(_store.Find("Node", "", "n2")!, "Ready");
        Assert.Equal(ObjectMeta.FormatTime(start.AddSeconds(33 + 8)), unknown.GetString("lastTransitionTime"));
        Assert.Equal("True", Ready("n1"));
        Assert.Equal("True", Ready("n3"));
        lock (_store.Writes) Assert.DoesNotContain(_store.Writes, w => w.Contains("Node /n1", StringComparison.Ordinal) || w.Contains("Node /n3", StringComparison.Ordinal));

        // One dead node of three is no disruption: its pod is evicted after the toleration.
        Heartbeat("n1");
        Heartbeat("n3");
        _time.Advance(TimeSpan.FromSeconds(6));
        AwaitAssert(() => Assert.False(HasPod("n2")), Wait);
        Assert.True(HasPod("n1") && HasPod("n3"));
    }

    [Fact]
    public void Heartbeats_lost_while_another_member_had_no_journal_do_not_count_though_this_members_journal_answered()
    {
        var health = ClusterJournalHealth.LocalOnly(new JournalHealth(_time));
        Nodes("n1", "n2");
        Start(cluster: health);
        var start = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(3));
        // Member b lost its connection to the journal: n2, whose agent talks to b, gets nothing through for 30 s.
        health.Reported("b", new JournalOutages([new StoreOutage(start.AddSeconds(3), null)], _time.GetUtcNow()), _time.GetUtcNow());
        for (var i = 0; i < 6; i++)
        {
            Heartbeat("n1");
            _time.Advance(TimeSpan.FromSeconds(5));
        }
        Heartbeat("n1");
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal("True", Ready("n2"));

        // b's journal is back at 33 s: n2 has a full grace from then, and is silent once it is over.
        var back = _time.GetUtcNow();
        health.Reported("b", new JournalOutages([new StoreOutage(start.AddSeconds(3), back)], back), back);
        _time.Advance(TimeSpan.FromSeconds(7));
        Heartbeat("n1");
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal("True", Ready("n2"));
        lock (_store.Writes) Assert.DoesNotContain(_store.Writes, w => w.Contains("Node /n", StringComparison.Ordinal));
        _time.Advance(TimeSpan.FromSeconds(2));
        AwaitAssert(() => Assert.Equal("Unknown", Ready("n2")), Wait);
        Assert.Equal(ObjectMeta.FormatTime(back.AddSeconds(8)), PodHelpers.Condition(_store.Find("Node", "", "n2")!, "Ready").GetString("lastTransitionTime"));
        Assert.Equal("True", Ready("n1"));
    }

    [Fact]
    public void After_an_outage_no_node_is_silent_while_the_controllers_view_lags_behind_the_journal()
    {
        var journal = new JournalHealth(_time);
        _store.ConsistentLists = true;
        Nodes("n1", "n2");
        Start(journal: journal);
        journal.Failed();
        _time.Advance(TimeSpan.FromSeconds(30));

        // The journal is back and both agents report, but the index behind this controller's
        // informers lags: it sees none of it (a consistent read waits for it) for 20 s.
        _store.HoldEvent = (kind, _) => kind == "Node";
        Heartbeat("n1");
        Heartbeat("n2");
        journal.Succeeded();
        _time.Advance(TimeSpan.FromSeconds(20));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal("True", Ready("n1"));
        Assert.Equal("True", Ready("n2"));
        lock (_store.Writes) Assert.Empty(_store.Writes);

        // Caught up: both reported, and the grace counts from now, so neither is silent.
        var lists = _store.ListsAnswered;
        _store.ReleaseHeld();
        AwaitCondition(() => _store.ListsAnswered > lists, Wait);
        _time.Advance(TimeSpan.FromSeconds(7));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal("True", Ready("n1"));
        Assert.Equal("True", Ready("n2"));
        lock (_store.Writes) Assert.Empty(_store.Writes);
    }

    [Fact]
    public void While_the_journal_is_unavailable_nothing_is_marked_or_evicted()
    {
        var journal = new JournalHealth(_time);
        Nodes("n1", "n2");
        var controller = Start(journal: journal);
        journal.Failed();
        _time.Advance(TimeSpan.FromMinutes(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        lock (_store.Writes) Assert.Empty(_store.Writes);

        // Back, and nobody reports within the grace period: now they are silent.
        JournalBack(journal, controller);
        _time.Advance(TimeSpan.FromSeconds(9));
        AwaitAssert(() => Assert.Equal("Unknown", Ready("n1")), Wait);
    }

    [Fact]
    public void Two_of_three_nodes_silent_at_once_hold_evictions_with_a_condition_and_an_event_until_one_returns()
    {
        Nodes("n1", "n2", "n3");
        Start();
        _time.Advance(TimeSpan.FromSeconds(4));
        Heartbeat("n1");
        _time.Advance(TimeSpan.FromSeconds(5)); // n2 and n3 silent for 9 s
        AwaitAssert(() => Assert.True(Ready("n2") == "Unknown" && Ready("n3") == "Unknown"), Wait);
        Heartbeat("n1");
        _time.Advance(TimeSpan.FromSeconds(6)); // their pods' toleration is over

        AwaitAssert(() =>
        {
            foreach (var node in new[] { "n2", "n3" })
            {
                var held = Held(node);
                Assert.Equal("True", held.GetString("status"));
                Assert.Equal(EvictionHold.ClusterDisruption, held.GetString("reason"));
                Assert.Contains("2 of 3 nodes", held.GetString("message"), StringComparison.Ordinal);
            }
        }, Wait);
        AwaitAssert(() => Assert.Equal(2, _store.All(EventKind.Instance.Kind).Count(e => e.GetString("reason") == NodeDisruption.EvictionsHeldReason)), Wait);
        Assert.True(HasPod("n2") && HasPod("n3"));
        Assert.Null(Held("n1"));

        // n3 comes back: one silent node of three is no disruption, n2's pod goes and its hold ends.
        Heartbeat("n3");
        _time.Advance(TimeSpan.FromMilliseconds(100));
        AwaitAssert(() => Assert.False(HasPod("n2")), Wait);
        AwaitAssert(() => Assert.Equal("False", Held("n2").GetString("status")), Wait);
        Assert.True(HasPod("n3"));
    }

    [Fact]
    public void Several_dead_nodes_are_evicted_one_after_another_at_the_eviction_rate()
    {
        Nodes("n1", "n2", "n3", "n4", "n5");
        Start();
        _time.Advance(TimeSpan.FromSeconds(4));
        foreach (var alive in new[] { "n1", "n2", "n3" }) Heartbeat(alive);
        _time.Advance(TimeSpan.FromSeconds(5));
        AwaitAssert(() => Assert.True(Ready("n4") == "Unknown" && Ready("n5") == "Unknown"), Wait);
        foreach (var alive in new[] { "n1", "n2", "n3" }) Heartbeat(alive);
        _time.Advance(TimeSpan.FromSeconds(6));

        // 2 of 5 is no disruption: the burst of one node goes at once, the next 10 s later (0.1/s).
        AwaitAssert(() => Assert.Single(new[] { "n4", "n5" }, n => !HasPod(n)), Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Single(new[] { "n4", "n5" }, n => !HasPod(n));
        foreach (var alive in new[] { "n1", "n2", "n3" }) Heartbeat(alive);
        _time.Advance(TimeSpan.FromSeconds(5));
        foreach (var alive in new[] { "n1", "n2", "n3" }) Heartbeat(alive);
        _time.Advance(TimeSpan.FromSeconds(5));
        AwaitAssert(() => Assert.False(HasPod("n4") || HasPod("n5")), Wait);
    }

    [Fact]
    public void A_member_that_reaches_no_majority_of_the_cluster_evicts_nothing()
    {
        var members = new MemberLiveness();
        foreach (var m in new[] { "a#1", "b#2", "c#3" }) members.Member(m);
        members.Unreachable("b#2", _time.GetUtcNow());
        members.Unreachable("c#3", _time.GetUtcNow());
        Nodes("n1");
        Start(members);
        _time.Advance(TimeSpan.FromMinutes(1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        lock (_store.Writes) Assert.Empty(_store.Writes);

        members.Reachable("b#2"); // 2 of 3: a majority again
        AwaitAssert(() => Assert.Equal("Unknown", Ready("n1")), Wait);
        _time.Advance(TimeSpan.FromSeconds(6));
        AwaitAssert(() => Assert.False(HasPod("n1")), Wait);
    }
}
