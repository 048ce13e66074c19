using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;

namespace Orchestrator.Cluster.Membership;

/// <summary>
/// What this member has seen of the other members' fate: which were removed from the cluster
/// (downed by the split-brain resolver, or left) and since when they were unreachable before that.
/// A removed member never comes back under the same unique address (a restarted process joins with
/// a new uid), so a node agent whose member is removed is certainly gone: the node lifecycle
/// controller need not wait out the heartbeat grace period for it.
/// </summary>
/// <remarks>
/// Every member keeps its own record from the moment it starts, so the controllers that take over
/// on another member after a failover (they start after the dead member was removed, when no
/// membership event will tell them any more) still know.
/// </remarks>
public sealed class MemberLiveness
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unreachableSince = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _removedAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _members = new(StringComparer.Ordinal);

    /// <summary>Knows of no member: nodes are judged by their heartbeats alone.</summary>
    public static MemberLiveness None { get; } = new();

    /// <summary>How a member is named in the Node annotation <c>orchestrator.io/member</c>: address and uid.</summary>
    public static string Format(UniqueAddress member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return $"{member.Address}#{member.Uid}";
    }

    /// <summary>
    /// When <paramref name="member"/> (as <see cref="Format"/> writes it) became unreachable, if it
    /// has since been removed from the cluster (the removal time when it was never seen unreachable);
    /// null while it is a member or unknown.
    /// </summary>
    public DateTimeOffset? GoneSince(string member) =>
        _removedAt.TryGetValue(member, out var removed)
            ? _unreachableSince.TryGetValue(member, out var unreachable) && unreachable < removed ? unreachable : removed
            : null;

    /// <summary>
    /// How many of the cluster's members (up, or leaving) this member reaches, itself included
    /// (0 of 0 when it knows of no cluster). A member that reaches no majority may be the one cut
    /// off: the node lifecycle controller on it evicts nothing.
    /// </summary>
    public (int Reachable, int Members) Reachability()
    {
        var members = _members.Keys.ToList();
        return (members.Count(m => !_unreachableSince.ContainsKey(m)), members.Count);
    }

    internal void Member(string member) => _members.TryAdd(member, true);

    internal void Unreachable(string member, DateTimeOffset at) => _unreachableSince.TryAdd(member, at);

    internal void Reachable(string member) => _unreachableSince.TryRemove(member, out _);

    internal void Removed(string member, DateTimeOffset at)
    {
        _removedAt.TryAdd(member, at);
        _members.TryRemove(member, out _);
    }

    /// <summary>The actor that records this member's view of the cluster into <paramref name="liveness"/> (subscribed to membership events); see <c>ControlPlaneHosting.WithMemberLiveness</c>.</summary>
    public static Props TrackerProps(MemberLiveness liveness, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(liveness);
        ArgumentNullException.ThrowIfNull(time);
        return Props.Create(() => new Tracker(liveness, time));
    }

    private sealed class Tracker : ReceiveActor
    {
        private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

        public Tracker(MemberLiveness liveness, TimeProvider time)
        {
            Receive<ClusterEvent.UnreachableMember>(e => liveness.Unreachable(Format(e.Member.UniqueAddress), time.GetUtcNow()));
            Receive<ClusterEvent.ReachableMember>(e => liveness.Reachable(Format(e.Member.UniqueAddress)));
            Receive<ClusterEvent.MemberRemoved>(e => liveness.Removed(Format(e.Member.UniqueAddress), time.GetUtcNow()));
            Receive<ClusterEvent.IMemberEvent>(e =>
            {
                if (e.Member.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving or MemberStatus.Exiting)
                    liveness.Member(Format(e.Member.UniqueAddress));
            });
            Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
            Receive<ClusterEvent.CurrentClusterState>(_ => { });
        }

        protected override void PreStart() =>
            _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

        protected override void PostStop() => _cluster.Unsubscribe(Self);
    }
}
