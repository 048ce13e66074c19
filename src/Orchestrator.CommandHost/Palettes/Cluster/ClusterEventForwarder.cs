using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;

namespace Orchestrator.CommandHost.Palettes.Cluster;

/// <summary>
/// Subscribes to membership, reachability and leader events (current state first, as events)
/// and hands them to a channel that <c>cluster tail</c> reads. Stopping the actor unsubscribes
/// and completes the channel.
/// </summary>
internal sealed class ClusterEventForwarder : ReceiveActor
{
    private readonly ChannelWriter<ClusterEvent.IClusterDomainEvent> _events;

    public ClusterEventForwarder(ChannelWriter<ClusterEvent.IClusterDomainEvent> events)
    {
        _events = events;
        // The channel drops the oldest event when a slow client falls far behind; never blocks.
        Receive<ClusterEvent.IClusterDomainEvent>(domainEvent => _events.TryWrite(domainEvent));
    }

    public static Props CreateProps(ChannelWriter<ClusterEvent.IClusterDomainEvent> events) =>
        Props.Create(() => new ClusterEventForwarder(events));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(
            Self,
            ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent),
            typeof(ClusterEvent.IReachabilityEvent),
            typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _events.TryComplete();
    }
}
