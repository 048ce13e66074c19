using Akka.Actor;
using Orchestrator.Cluster.Journal;

namespace Orchestrator.Cluster.Controllers;

/// <summary>The singleton that runs every controller as its child (as kube-controller-manager does).</summary>
public sealed class ControllerManagerActor : ReceiveActor
{
    public ControllerManagerActor(IControllerStore store, ControllerSettings settings, TimeProvider time, Membership.MemberLiveness members, ClusterJournalHealth journal)
    {
        foreach (var (name, props) in ControllerProps(store, settings, time, members, journal)) Context.ActorOf(props, name);
    }

    /// <summary>The manager, run as a cluster singleton (see <c>ControlPlaneHosting.WithControllerManager</c>).</summary>
    public static Props Props(IControllerStore store, ControllerSettings settings, TimeProvider time, Membership.MemberLiveness members, ClusterJournalHealth journal) =>
        Akka.Actor.Props.Create(() => new ControllerManagerActor(store, settings, time, members, journal));

    public static IEnumerable<(string Name, Props Props)> ControllerProps(IControllerStore store, ControllerSettings settings, TimeProvider time, Membership.MemberLiveness? members = null, ClusterJournalHealth? journal = null)
    {
        yield return ("replicaset", ReplicaSetController.Props(store, settings, time));
        yield return ("deployment", DeploymentController.Props(store, time));
        yield return ("daemonset", DaemonSetController.Props(store, settings, time));
        yield return ("statefulset", StatefulSetController.Props(store, settings, time));
        yield return ("job", JobController.Props(store, settings, time));
        yield return ("cronjob", CronJobController.Props(store, time));
        yield return ("garbage-collector", GarbageCollector.Props(store));
        yield return ("node-lifecycle", NodeLifecycleController.Props(store, settings, time, members, journal));
        yield return ("namespace", NamespaceController.Props(store));
        yield return ("event-ttl", EventTtlController.Props(store, settings.EventTtl, time));
        yield return ("endpoints", EndpointsController.Props(store));
        yield return ("service-allocation-repair", ServiceAllocationRepair.Props(store, settings.AllocationRepairGrace, time));
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(-1, TimeSpan.FromMinutes(1), _ => Directive.Restart);
}
