using Orchestrator.Domain.Scheduling;

namespace Orchestrator.Cluster.Scheduling;

/// <summary>Settings of the scheduler, read once from <c>orchestrator.scheduler</c> (every key is documented in reference.conf).</summary>
/// <param name="Strategy">How feasible nodes are ranked: <c>spread</c> or <c>binpack</c>.</param>
/// <param name="ParallelBinds">Binds in flight at once.</param>
/// <param name="MaxBackoff">The longest wait before an unschedulable pod is tried again.</param>
public sealed record SchedulerSettings(string Strategy, int ParallelBinds, TimeSpan MaxBackoff)
{
    public static SchedulerSettings Default { get; } = new("spread", 16, TimeSpan.FromSeconds(10));

    /// <summary>Whether the scheduler runs at all (off: pods stay Pending unless something else binds them).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>See <see cref="PodScheduler.PercentageOfNodesToScore"/>: 0 adapts to the cluster's size.</summary>
    public int PercentageOfNodesToScore { get; init; }

    /// <param name="config">The <c>orchestrator.scheduler</c> section.</param>
    public static SchedulerSettings From(Akka.Configuration.Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var settings = new SchedulerSettings(config.GetString("strategy", "spread"), config.GetInt("parallel-binds", 16), config.GetTimeSpan("max-backoff", TimeSpan.FromSeconds(10)))
        {
            Enabled = config.GetBoolean("enabled", true),
            PercentageOfNodesToScore = config.GetInt("percentage-of-nodes-to-score", 0),
        };
        _ = settings.CreateScheduler(); // a bad strategy or percentage stops the node at start, with the setting's name
        return settings;
    }

    /// <summary>The pure scheduler these settings describe.</summary>
    public PodScheduler CreateScheduler() => PodScheduler.ForStrategy(Strategy).WithPercentageOfNodesToScore(PercentageOfNodesToScore);
}
