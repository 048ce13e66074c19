using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Orchestrator.Cluster.Scheduling;

namespace Orchestrator.Cluster.Controllers;

/// <summary>Settings of the controllers, read once from <c>orchestrator.controllers</c>.</summary>
public sealed record ControllerSettings(
    bool Enabled,
    string Role,
    int BurstReplicas,
    TimeSpan ExpectationsTimeout,
    TimeSpan NodeMonitorGracePeriod,
    TimeSpan PodEvictionTimeout,
    TimeSpan NodeMonitorPeriod)
{
    public static ControllerSettings Default { get; } = new(true, "control-plane", 500, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));

    public static ControllerSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ControllerSettings(
            config.GetBoolean("enabled", true),
            config.GetString("role", "control-plane"),
            config.GetInt("burst-replicas", 500),
            config.GetTimeSpan("expectations-timeout", TimeSpan.FromMinutes(5)),
            config.GetTimeSpan("node-monitor-grace-period", TimeSpan.FromSeconds(8)),
            config.GetTimeSpan("pod-eviction-timeout", TimeSpan.FromSeconds(5)),
            config.GetTimeSpan("node-monitor-period", TimeSpan.FromSeconds(1)))
        {
            AllocationRepairGrace = config.GetTimeSpan("allocation-repair-grace", TimeSpan.FromMinutes(1)),
        };
    }

    /// <summary>How old a ClusterIP/NodePort allocation without its Service must be before the repair loop frees it.</summary>
    public TimeSpan AllocationRepairGrace { get; init; } = TimeSpan.FromMinutes(1);

    public ControllerSettings WithNodeMonitorGracePeriod(TimeSpan value) => this with { NodeMonitorGracePeriod = value };

    public ControllerSettings WithPodEvictionTimeout(TimeSpan value) => this with { PodEvictionTimeout = value };
}

/// <summary>
/// Starts the scheduler and the controller manager as cluster singletons on the members with the
/// control-plane role: exactly one of each runs in the cluster, and it moves to another member when
/// its member leaves or is downed. Both only read and write through the store, so a successor picks
/// up where the last one stopped (its watches start with the whole current state).
/// </summary>
public static class ControllerManager
{
    public static void Start(ActorSystem system, IControllerStore store, Config config, TimeProvider time, Membership.MemberLiveness? members = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(config);
        var controllers = ControllerSettings.From(config.GetConfig("orchestrator.controllers"));
        var scheduler = config.GetConfig("orchestrator.scheduler");
        if (scheduler.GetBoolean("enabled", true))
            StartSingleton(system, "scheduler", SchedulerActor.Props(store, SchedulerSettings.From(scheduler), time), controllers.Role);
        var liveness = members ?? Membership.MemberLiveness.None;
        if (controllers.Enabled)
            StartSingleton(system, "controller-manager", Props.Create(() => new ControllerManagerActor(store, controllers, time, liveness)), controllers.Role);
    }

    private static void StartSingleton(ActorSystem system, string name, Props props, string role)
    {
        // Only members with the role may host the singleton (the manager refuses to start elsewhere).
        if (role.Length > 0 && !Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(role)) return;
        var settings = ClusterSingletonManagerSettings.Create(system).WithRole(role).WithSingletonName(name);
        system.ActorOf(ClusterSingletonManager.Props(props, PoisonPill.Instance, settings), name);
    }
}

/// <summary>The singleton that runs every controller as its child (as kube-controller-manager does).</summary>
public sealed class ControllerManagerActor : ReceiveActor
{
    public ControllerManagerActor(IControllerStore store, ControllerSettings settings, TimeProvider time, Membership.MemberLiveness members)
    {
        foreach (var (name, props) in ControllerProps(store, settings, time, members)) Context.ActorOf(props, name);
    }

    public static IEnumerable<(string Name, Props Props)> ControllerProps(IControllerStore store, ControllerSettings settings, TimeProvider time, Membership.MemberLiveness? members = null)
    {
        yield return ("replicaset", ReplicaSetController.Props(store, settings, time));
        yield return ("deployment", DeploymentController.Props(store, time));
        yield return ("garbage-collector", GarbageCollector.Props(store));
        yield return ("node-lifecycle", NodeLifecycleController.Props(store, settings, time, members));
        yield return ("namespace", NamespaceController.Props(store));
        yield return ("endpoints", EndpointsController.Props(store));
        yield return ("service-allocation-repair", ServiceAllocationRepair.Props(store, settings.AllocationRepairGrace, time));
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(-1, TimeSpan.FromMinutes(1), _ => Directive.Restart);
}
