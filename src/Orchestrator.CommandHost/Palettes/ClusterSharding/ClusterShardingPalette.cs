using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.CommandHost.Palettes.ClusterSharding;

/// <summary>
/// <c>cluster-sharding</c>: the shard regions of this node and how shards and entities are
/// spread over the cluster (via <see cref="GetShardRegionState"/> and <see cref="GetClusterShardingStats"/>).
/// </summary>
public sealed class ClusterShardingPalette : CommandPalette
{
    private static readonly SwitchDefinition RegionSwitch = new(
        "region", "r", "Shard region type name (see 'cluster-sharding regions').", IsRequired: true);

    private static readonly SwitchDefinition TimeoutSwitch = new(
        "timeout", "t", "Seconds to wait for the answer (default 5).");

    private static readonly SwitchDefinition VerboseSwitch = new(
        "verbose", "v", "Also list the entity ids of each shard.", IsFlag: true);

    private readonly ActorSystem _system;

    public ClusterShardingPalette(ActorSystem system)
        : base("cluster-sharding", "Akka.Cluster.Sharding: regions, region-stats, shard-stats.")
    {
        _system = system ?? throw new ArgumentNullException(nameof(system));
        AddCommand(new CommandDefinition("regions", "Lists the shard region type names started on this node (regions and proxies).",
            [SwitchDefinition.Output]), RegionsAsync);
        AddCommand(new CommandDefinition("region-stats", "Shards and entities hosted by this node's region of a type.",
            [RegionSwitch, VerboseSwitch, TimeoutSwitch, SwitchDefinition.Output]), RegionStatsAsync);
        AddCommand(new CommandDefinition("shard-stats", "Shards and entity counts of a type on every member of the cluster.",
            [RegionSwitch, TimeoutSwitch, SwitchDefinition.Output]), ShardStatsAsync);
    }

    private async Task<int> RegionsAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var names = Akka.Cluster.Sharding.ClusterSharding.Get(_system).ShardTypeNames.Order(StringComparer.Ordinal).ToArray();
        if (request.WantsJson)
        {
            await output.WriteJsonAsync(names, cancellationToken);
            return ExitCodes.Success;
        }
        if (names.Length == 0)
        {
            await output.WriteLineAsync("No shard region is started on this node.", cancellationToken);
            return ExitCodes.Success;
        }
        foreach (var name in names)
            await output.WriteLineAsync(name, cancellationToken);
        return ExitCodes.Success;
    }

    private async Task<int> RegionStatsAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var (typeName, region) = FindRegion(request);
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Timeout(request), cancellationToken);
        var shards = state.Shards
            .OrderBy(s => s.ShardId, StringComparer.Ordinal)
            .Select(s => new ShardView(s.ShardId, s.EntityIds.Count, s.EntityIds.Order(StringComparer.Ordinal).ToArray()))
            .ToArray();
        var failed = state.Failed.Order(StringComparer.Ordinal).ToArray();
        var node = Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString();

        if (request.WantsJson)
        {
            await output.WriteJsonAsync(new { Region = typeName, Node = node, Shards = shards, FailedShards = failed }, cancellationToken);
            return ExitCodes.Success;
        }
        var verbose = request.HasFlag(VerboseSwitch.Name);
        await output.WriteTableAsync(new TableOutput(
            $"Shard region [{typeName}] on [{node}]: {shards.Length} shards, {shards.Sum(s => s.EntityCount)} entities",
            verbose ? ["SHARD", "ENTITIES", "ENTITY IDS"] : ["SHARD", "ENTITIES"],
            shards.Select(s => verbose
                ? (IReadOnlyList<string>)[s.ShardId, Count(s.EntityCount), string.Join(" ", s.EntityIds)]
                : [s.ShardId, Count(s.EntityCount)]).ToArray()), cancellationToken);
        if (failed.Length > 0)
            await output.WriteErrorLineAsync($"Shards that did not answer in time: {string.Join(", ", failed)}", cancellationToken);
        return ExitCodes.Success;
    }

    private async Task<int> ShardStatsAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var (typeName, region) = FindRegion(request);
        var timeout = Timeout(request);
        // The region gathers every member's stats within `timeout`; allow a little more for the reply.
        var stats = await region.Ask<ClusterShardingStats>(
            new GetClusterShardingStats(timeout), timeout + TimeSpan.FromSeconds(2), cancellationToken);
        var members = stats.Regions
            .OrderBy(pair => pair.Key.ToString(), StringComparer.Ordinal)
            .Select(pair => new MemberShardsView(
                pair.Key.ToString(),
                pair.Value.Stats.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new ShardCountView(s.Key, s.Value)).ToArray(),
                pair.Value.Failed.Order(StringComparer.Ordinal).ToArray()))
            .ToArray();

        if (request.WantsJson)
        {
            await output.WriteJsonAsync(new { Region = typeName, Members = members }, cancellationToken);
            return ExitCodes.Success;
        }
        var rows = new List<IReadOnlyList<string>>();
        foreach (var member in members)
        {
            foreach (var shard in member.Shards)
                rows.Add([member.Address, shard.ShardId, Count(shard.EntityCount)]);
            foreach (var failedShard in member.FailedShards)
                rows.Add([member.Address, failedShard, "(no answer)"]);
            if (member.Shards.Length == 0 && member.FailedShards.Length == 0)
                rows.Add([member.Address, "-", "0"]);
        }
        var totalShards = members.Sum(m => m.Shards.Length);
        var totalEntities = members.Sum(m => m.Shards.Sum(s => s.EntityCount));
        await output.WriteTableAsync(new TableOutput(
            $"Shard region [{typeName}]: {members.Length} members, {totalShards} shards, {totalEntities} entities",
            ["MEMBER", "SHARD", "ENTITIES"], rows), cancellationToken);
        return ExitCodes.Success;
    }

    private (string TypeName, IActorRef Region) FindRegion(CommandRequest request)
    {
        var typeName = request.GetSwitch(RegionSwitch.Name)!;
        var sharding = Akka.Cluster.Sharding.ClusterSharding.Get(_system);
        if (!sharding.ShardTypeNames.Contains(typeName))
        {
            var known = sharding.ShardTypeNames.Order(StringComparer.Ordinal).ToArray();
            throw new CommandException(
                $"no shard region '{typeName}' on this node. " +
                (known.Length == 0 ? "No region is started here." : $"Regions: {string.Join(", ", known)}."),
                ExitCodes.UsageError);
        }
        return (typeName, sharding.ShardRegion(typeName));
    }

    private static TimeSpan Timeout(CommandRequest request)
    {
        var text = request.GetSwitch(TimeoutSwitch.Name);
        if (text is null)
            return TimeSpan.FromSeconds(5);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 600)
            return TimeSpan.FromSeconds(seconds);
        throw new CommandException($"--timeout must be a number of seconds between 0 and 600; '{text}' is not.", ExitCodes.UsageError);
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record ShardView(string ShardId, int EntityCount, string[] EntityIds);

    private sealed record ShardCountView(string ShardId, int EntityCount);

    private sealed record MemberShardsView(string Address, ShardCountView[] Shards, string[] FailedShards);
}
