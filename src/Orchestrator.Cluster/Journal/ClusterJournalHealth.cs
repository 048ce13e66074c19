using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Orchestrator.Domain.Controllers;

namespace Orchestrator.Cluster.Journal;

/// <summary>Asks a member's <see cref="ClusterJournalHealth"/> peer for its journal outages.</summary>
public sealed record GetJournalOutages : IClusterMessage
{
    public static GetJournalOutages Instance { get; } = new();
}

/// <summary>A member's own journal outages (<see cref="JournalHealth.Outages"/>), as of <paramref name="At"/> on its clock.</summary>
public sealed record JournalOutages(IReadOnlyList<StoreOutage> Outages, DateTimeOffset At) : IClusterMessage;

/// <summary>
/// This member's <see cref="JournalHealth"/> and the latest outages every other up member reported
/// of its own: one member may lose its connection to the journal while the others keep theirs, and
/// the heartbeats of the nodes it serves (or whose entities it hosts) are lost meanwhile. The node
/// lifecycle controller merges them (<see cref="ClusterOutages.Merge"/>) so that those nodes get a
/// full grace period after that outage too.
/// </summary>
/// <remarks>
/// Each member runs a <see cref="PeerProps">peer</see> at <c>/user/journal-health</c>: it answers
/// <see cref="GetJournalOutages"/> with its own outages and asks every other up member's peer once
/// per <c>journal-health.probe-interval</c>. A member that stops answering keeps its last report
/// (an open outage stays open: nothing is judged silent on its account) until it leaves the
/// cluster's up members; a member's outage reaches the controller at most probe-interval plus
/// probe-timeout after it began, plus one asking round.
/// </remarks>
public sealed class ClusterJournalHealth(JournalHealth local)
{
    /// <summary>The peer actor's name under <c>/user</c> on every member.</summary>
    public const string PeerName = "journal-health";

    private readonly ConcurrentDictionary<string, MemberOutages> _others = new(StringComparer.Ordinal);

    /// <summary>Knows of no other member: the local journal alone.</summary>
    public static ClusterJournalHealth LocalOnly(JournalHealth local) => new(local);

    /// <summary>This member's own journal: whether it answers decides whether this member may evict anything.</summary>
    public JournalHealth Local { get; } = local ?? throw new ArgumentNullException(nameof(local));

    /// <summary>The latest report of every other member.</summary>
    public IReadOnlyList<MemberOutages> Others => _others.Values.ToList();

    /// <summary>Records <paramref name="member"/>'s report, received now (<paramref name="receivedAt"/>, this member's clock).</summary>
    public void Reported(string member, JournalOutages report, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(report);
        _others[member] = new MemberOutages(report.Outages, report.At, receivedAt);
    }

    /// <summary>Forgets the reports of members that are no longer among <paramref name="members"/>.</summary>
    public void Keep(IReadOnlySet<string> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        foreach (var member in _others.Keys.Where(m => !members.Contains(m))) _others.TryRemove(member, out _);
    }

    /// <summary>The peer that answers for this member's journal and asks the others every <paramref name="interval"/>.</summary>
    public Props PeerProps(TimeSpan interval, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var health = this;
        return Props.Create(() => new Peer(health, interval, time));
    }

    private sealed class Peer : ReceiveActor, IWithTimers
    {
        private sealed record Ask;

        private readonly ClusterJournalHealth _health;
        private readonly TimeSpan _interval;
        private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

        public Peer(ClusterJournalHealth health, TimeSpan interval, TimeProvider time)
        {
            _health = health;
            _interval = interval;
            Receive<GetJournalOutages>(_ => Sender.Tell(new JournalOutages(health.Local.Outages, time.GetUtcNow())));
            Receive<JournalOutages>(r =>
            {
                var member = Sender.Path.Address.ToString();
                if (UpMembers().Contains(member)) health.Reported(member, r, time.GetUtcNow());
            });
            Receive<Ask>(_ => AskOthers());
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Timers.StartPeriodicTimer("ask", new Ask(), TimeSpan.Zero, _interval);

        private HashSet<string> UpMembers() =>
            _cluster.State.Members
                .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving && m.Address != _cluster.SelfAddress)
                .Select(m => m.Address.ToString())
                .ToHashSet(StringComparer.Ordinal);

        private void AskOthers()
        {
            var members = UpMembers();
            _health.Keep(members);
            foreach (var member in members)
                Context.ActorSelection($"{member}/user/{PeerName}").Tell(GetJournalOutages.Instance, Self);
        }
    }
}
