using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Journal;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Hosting;

/// <summary>Settings of the store and index, read once from <c>orchestrator.store</c> and <c>orchestrator.index</c>.</summary>
public sealed record ControlPlaneSettings(
    TimeSpan AskTimeout,
    int SnapshotEvery,
    TimeSpan PassivateAfter,
    int NumberOfShards,
    string Tag,
    int WatchWindow,
    TimeSpan ConsistentReadTimeout)
{
    public static ControlPlaneSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var store = config.GetConfig("orchestrator.store");
        var index = config.GetConfig("orchestrator.index");
        return new ControlPlaneSettings(
            store.GetTimeSpan("ask-timeout"),
            store.GetInt("snapshot-every"),
            store.GetTimeSpan("passivate-after"),
            store.GetInt("number-of-shards"),
            index.GetString("tag"),
            index.GetInt("watch-window"),
            index.GetTimeSpan("consistent-read-timeout"));
    }
}

/// <summary>
/// Starts this member's part of the control plane: a shard region per kind (each object a
/// persistent entity), and the journal-fed index. Returns the <see cref="ResourceStore"/> over them.
/// </summary>
public static class ControlPlane
{
    /// <summary>This assembly's <c>reference.conf</c>.</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.FromResource<ResourceEntity>("Orchestrator.Cluster.reference.conf");

    public static ResourceStore Start(ActorSystem system, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(system);
        SqlPersistence.Get(system); // injects the plugin's defaults (journal, snapshot store, read journal)
        var config = system.Settings.Config.WithFallback(DefaultConfig).WithFallback(SqlPersistence.DefaultConfiguration);
        var settings = ControlPlaneSettings.From(config);
        var migrated = TagColumnMigration.Run(config, settings.Tag);
        if (migrated > 0) system.Log.Info("copied the tag of {0} events written by an earlier version into the journal's tag column", migrated);
        var positions = new SqlJournalPositions(config);
        var entitySettings = new ResourceEntity.Settings(settings.Tag, settings.SnapshotEvery, settings.PassivateAfter);
        var sharding = ClusterSharding.Get(system);
        var shardingSettings = ClusterShardingSettings.Create(system);
        var extractor = new ResourceMessageExtractor(settings.NumberOfShards);
        var regions = ResourceKinds.All.ToDictionary(
            k => k.Kind,
            k => sharding.Start(k.Kind, id => ResourceEntity.Props(k, id, positions, entitySettings, time), shardingSettings, extractor));
        var index = system.ActorOf(ResourceIndex.Props(new ResourceIndex.Settings(settings.Tag, settings.WatchWindow, settings.ConsistentReadTimeout)), "resource-index");
        var services = Services.ServiceSettings.From(config.GetConfig("orchestrator.services"));
        var store = new ResourceStore(system, new ResourceRegions(regions), index, positions, settings.AskTimeout, services.Ranges);
        var members = Membership.MemberLiveness.Start(system, time);
        Controllers.ControllerManager.Start(system, new Controllers.ResourceStoreControllerStore(store), config, time, members);
        return store;
    }

    /// <summary>Creates the namespaces every cluster has (idempotent: existing ones are left alone).</summary>
    public static async Task EnsureBuiltInNamespaces(ResourceStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        foreach (var name in NamespaceKind.BuiltIn)
        {
            try
            {
                await store.Create(NamespaceKind.Instance, "", new System.Text.Json.Nodes.JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Namespace",
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name },
                }, ct);
            }
            catch (ApiErrorException e) when (e.Error.Reason == "AlreadyExists")
            {
            }
        }
    }
}

/// <summary>Routes an <see cref="IResourceCommand"/> to the entity of its object.</summary>
public sealed class ResourceMessageExtractor(int numberOfShards) : HashCodeMessageExtractor(numberOfShards)
{
    public override string? EntityId(object message) => message switch
    {
        IResourceCommand c => c.Key.EntityId,
        _ => null,
    };
}
