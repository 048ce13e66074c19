using Akka.Actor;
using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Palettes.Cluster;
using Xunit.Abstractions;

namespace Orchestrator.Pbm.Tests.Integration;

/// <summary>Mutating cluster commands for real, on extra nodes that join the shared cluster.</summary>
[Collection(SingleNodeClusterGroup.Name)]
public sealed class PbmMembershipChangeTests(SingleNodeCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Join_then_leave_through_the_new_node_command_host()
    {
        await using var node = await ExtraNode.StartAsync("[joiner]");
        var up = Signal(node.Cluster.RegisterOnMemberUp);
        var removed = Signal(node.Cluster.RegisterOnMemberRemoved);

        var join = await Run(node.Endpoint, "cluster", "join", "-a", cluster.SelfAddress);
        Assert.True(join.ExitCode == 0, join.ToString());
        Assert.Contains($"Join requested: {node.Cluster.SelfAddress} joins {cluster.SelfAddress}.", join.StandardOutput, StringComparison.Ordinal);
        await up.WaitAsync(SingleNodeCluster.Timeout);

        var leave = await Run(node.Endpoint, "cluster", "leave");
        Assert.True(leave.ExitCode == 0, leave.ToString());
        Assert.Contains($"Leave requested for {node.Cluster.SelfAddress}", leave.StandardOutput, StringComparison.Ordinal);
        await removed.WaitAsync(SingleNodeCluster.Timeout);
    }

    [Fact]
    public async Task Down_by_host_and_port_removes_another_member()
    {
        await using var node = await ExtraNode.StartAsync("[victim]");
        var up = Signal(node.Cluster.RegisterOnMemberUp);
        var removed = Signal(node.Cluster.RegisterOnMemberRemoved);
        node.Cluster.Join(Akka.Cluster.Cluster.Get(cluster.System).SelfAddress);
        await up.WaitAsync(SingleNodeCluster.Timeout);
        var hostAndPort = $"{node.Cluster.SelfAddress.Host}:{node.Cluster.SelfAddress.Port}";

        var down = await Run(cluster.Endpoint, "cluster", "down", "--address", hostAndPort);

        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Contains($"Down requested for {node.Cluster.SelfAddress}.", down.StandardOutput, StringComparison.Ordinal);
        await removed.WaitAsync(SingleNodeCluster.Timeout);
    }

    [Fact]
    public async Task Join_needs_a_full_address()
    {
        var result = await Run(cluster.Endpoint, "cluster", "join", "-a", "127.0.0.1:4053");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("is not a full Akka address; join needs one like akka.tcp://pbm-test@", result.StandardError, StringComparison.Ordinal);
    }

    private async Task<PbmResult> Run(params string[] args)
    {
        var result = await PbmProcess.RunAsync(args);
        output.WriteLine($"$ pbm {string.Join(" ", args)}\n{result}");
        return result;
    }

    private static Task Signal(Action<Action> register)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        register(() => signal.TrySetResult());
        return signal.Task;
    }

    /// <summary>Another node of the same cluster name, not joined yet, with its own command host.</summary>
    private sealed class ExtraNode : IAsyncDisposable
    {
        private ExtraNode(ActorSystem system, CommandHostServer host)
        {
            System = system;
            Host = host;
        }

        public ActorSystem System { get; }

        public CommandHostServer Host { get; }

        public Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(System);

        public string Endpoint => $"127.0.0.1:{Host.BoundEndpoint!.Port}";

        public static async Task<ExtraNode> StartAsync(string roles)
        {
            var system = ActorSystem.Create("pbm-test", SingleNodeCluster.ClusterConfig(roles));
            var host = new CommandHostServer(CommandHostSettings.Create(system), [new ClusterPalette(system)],
                Akka.Cluster.Cluster.Get(system).SelfAddress.ToString());
            await host.StartAsync();
            return new ExtraNode(system, host);
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await System.Terminate().WaitAsync(SingleNodeCluster.Timeout);
        }
    }
}
