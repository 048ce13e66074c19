using Akka.Configuration;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Jobs;

namespace Orchestrator.Cluster.Controllers;

/// <summary>Settings of the controllers, read once from <c>orchestrator.controllers</c> (every key is documented in reference.conf).</summary>
/// <param name="Enabled">Whether the controller manager runs at all.</param>
/// <param name="Role">The cluster role of the members that may host the scheduler and controller singletons (empty: any member).</param>
/// <param name="BurstReplicas">The most pods one ReplicaSet sync creates or deletes.</param>
/// <param name="ExpectationsTimeout">How long a controller waits to observe its own writes before it acts anyway.</param>
/// <param name="NodeMonitorGracePeriod">How long a node may miss heartbeats before it is marked Unknown.</param>
/// <param name="PodEvictionTimeout">How long pods stay on an unreachable node before they are evicted.</param>
/// <param name="NodeMonitorPeriod">How often node heartbeats are checked.</param>
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

    /// <param name="config">The <c>orchestrator.controllers</c> section.</param>
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
            NodeEvictionRate = config.GetDouble("node-eviction-rate", 0.1),
            NodeEvictionBurst = config.GetInt("node-eviction-burst", 1),
            Disruption = new DisruptionSettings(config.GetDouble("unhealthy-zone-threshold", 0.55), config.GetInt("disruption-min-unhealthy-nodes", 2)),
            JobBackoff = new JobBackoff(config.GetTimeSpan("job-backoff-base", TimeSpan.FromSeconds(10)), config.GetTimeSpan("job-backoff-max", TimeSpan.FromMinutes(6))),
            EventTtl = config.GetTimeSpan("event-ttl", TimeSpan.FromHours(1)),
        };
    }

    /// <summary>How many nodes a second may have their pods evicted (Kubernetes' --node-eviction-rate, 0.1); 0: none.</summary>
    public double NodeEvictionRate { get; init; } = 0.1;

    /// <summary>How many nodes may have their pods evicted at once before <see cref="NodeEvictionRate"/> applies.</summary>
    public int NodeEvictionBurst { get; init; } = 1;

    /// <summary>When so many nodes are unhealthy that evictions stop (Kubernetes' unhealthyZoneThreshold).</summary>
    public DisruptionSettings Disruption { get; init; } = DisruptionSettings.Default;

    /// <summary>How long a Job waits before it makes a pod again after failures (doubling per failure, capped).</summary>
    public JobBackoff JobBackoff { get; init; } = JobBackoff.Default;

    /// <summary>How old a ClusterIP/NodePort allocation without its Service must be before the repair loop frees it.</summary>
    public TimeSpan AllocationRepairGrace { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long after it was last seen an Event is deleted (Kubernetes' --event-ttl, 1 h); zero: never.</summary>
    public TimeSpan EventTtl { get; init; } = TimeSpan.FromHours(1);

    public ControllerSettings WithNodeMonitorGracePeriod(TimeSpan value) => this with { NodeMonitorGracePeriod = value };

    public ControllerSettings WithPodEvictionTimeout(TimeSpan value) => this with { PodEvictionTimeout = value };
}
