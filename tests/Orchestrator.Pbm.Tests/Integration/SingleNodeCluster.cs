using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Orchestrator.CommandHost;
using Orchestrator.TestSupport;

namespace Orchestrator.Pbm.Tests.Integration;

/// <summary>
/// A real one-node Akka.NET cluster in this process (dot-netty on 127.0.0.1, a free port, self
/// join), a test shard region with a few entities, and the command host on a free port, started
/// through <see cref="CommandHostService"/> as a node process would.
/// </summary>
public sealed class SingleNodeCluster : IAsyncLifetime
{
    public const string TestRegion = "test-entity";
    public static readonly string[] TestEntities = ["entity-1", "entity-2", "entity-3", "entity-4", "entity-5"];
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private CommandHostService? _service;

    public ActorSystem System { get; private set; } = null!;

    public CommandHostServer Host => _service?.Server ?? throw new InvalidOperationException("the command host did not start");

    public string Endpoint => $"127.0.0.1:{Host.BoundEndpoint!.Port}";

    public string SelfAddress => Akka.Cluster.Cluster.Get(System).SelfAddress.ToString();

    public static Config ClusterConfig(string roles = "[pbm-test]") => ConfigurationFactory.ParseString(TestHocon.InProcessCluster() + $"""

        akka.cluster.roles = {roles}
        orchestrator.command-host.port = 0
        """);

    public async Task InitializeAsync()
    {
        System = ActorSystem.Create("pbm-test", ClusterConfig());
        var cluster = Akka.Cluster.Cluster.Get(System);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(Timeout);

        var region = await ClusterSharding.Get(System).StartAsync(
            TestRegion, Props.Create<TestEntity>(), ClusterShardingSettings.Create(System), new TestEntityExtractor());
        foreach (var entity in TestEntities)
            await region.Ask<Greeted>(new Greet(entity), Timeout);

        _service = new CommandHostService(System,
            [new Orchestrator.CommandHost.Palettes.Cluster.ClusterPalette(System), new Orchestrator.CommandHost.Palettes.ClusterSharding.ClusterShardingPalette(System)]);
        await _service.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.StopAsync(CancellationToken.None);
            await _service.DisposeAsync();
        }
        if (System is not null)
            await System.Terminate().WaitAsync(Timeout);
    }
}

[CollectionDefinition(Name)]
public sealed class SingleNodeClusterGroup : ICollectionFixture<SingleNodeCluster>
{
    public const string Name = "single-node cluster";
}

public sealed record Greet(string EntityId);

public sealed record Greeted(string EntityId);

/// <summary>An entity that answers a greeting; enough for the region to count it.</summary>
public sealed class TestEntity : ReceiveActor
{
    public TestEntity() => Receive<Greet>(greet => Sender.Tell(new Greeted(greet.EntityId)));
}

public sealed class TestEntityExtractor() : HashCodeMessageExtractor(10)
{
    public override string EntityId(object message) => ((Greet)message).EntityId;
}
