using Akka.Configuration;
using Orchestrator.Cluster.Journal;

namespace Orchestrator.Cluster.Hosting;

/// <summary>Settings of the store and index, read once from <c>orchestrator.store</c> and <c>orchestrator.index</c> (every key is documented in reference.conf).</summary>
/// <param name="AskTimeout">How long an entity or the index may take to answer the store.</param>
/// <param name="SnapshotEvery">An entity saves a snapshot every this many events.</param>
/// <param name="PassivateAfter">An entity idle this long stops (it recovers on the next command).</param>
/// <param name="NumberOfShards">Shards per kind.</param>
/// <param name="Tag">The tag on every resource event, which the index reads by.</param>
/// <param name="WatchWindow">Recent events the index keeps in memory for watches.</param>
/// <param name="ConsistentReadTimeout">How long a list may wait for the index to reach the journal head.</param>
public sealed record ControlPlaneSettings(
    TimeSpan AskTimeout,
    int SnapshotEvery,
    TimeSpan PassivateAfter,
    int NumberOfShards,
    string Tag,
    int WatchWindow,
    TimeSpan ConsistentReadTimeout)
{
    /// <param name="config">The node's configuration (the sections fall back to <see cref="ControlPlane.DefaultConfig"/>).</param>
    public static ControlPlaneSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config = config.WithFallback(ControlPlane.DefaultConfig);
        var store = config.GetConfig("orchestrator.store");
        var index = config.GetConfig("orchestrator.index");
        return new ControlPlaneSettings(
            store.GetTimeSpan("ask-timeout"),
            store.GetInt("snapshot-every"),
            store.GetTimeSpan("passivate-after"),
            store.GetInt("number-of-shards"),
            index.GetString("tag"),
            index.GetInt("watch-window"),
            index.GetTimeSpan("consistent-read-timeout"))
        {
            JournalHealth = JournalHealthSettings.From(config.GetConfig("orchestrator.journal-health")),
        };
    }

    /// <summary>How this member probes its journal (<c>orchestrator.journal-health</c>).</summary>
    public JournalHealthSettings JournalHealth { get; init; } = JournalHealthSettings.Default;
}
