using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Cluster.Resources;
using Orchestrator.NodeAgent.Sync;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Hosting;

/// <summary>This member's node agent as other parts of the host see it (e.g. the logs endpoint).</summary>
/// <param name="Settings">The agent's settings (<see cref="NodeAgentSettings.Enabled"/> tells whether it runs).</param>
/// <param name="Runtime">The runtime of this member's engine, limited to this node's containers.</param>
/// <param name="Streams">Opens exec, attach and port connections of this node's pods.</param>
public sealed record LocalNode(NodeAgentSettings Settings, IContainerRuntime Runtime, Cluster.Streams.IPodStreamOpener Streams)
{
    public string Name => Settings.NodeName;
}

/// <summary>Wiring of the node agent into the node process.</summary>
public static class NodeAgentHosting
{
    /// <summary>
    /// Registers <see cref="LocalNode"/> and, when <c>orchestrator.node-agent.enabled</c>, a hosted
    /// service that starts the agent actor on this member once the host runs.
    /// </summary>
    /// <param name="services">The host's services (ActorSystem, ResourceStore and TimeProvider are expected there).</param>
    /// <param name="config">The node's HOCON.</param>
    /// <param name="apiScheme">http or https, as this member's API serves.</param>
    /// <param name="apiAddress">The address the API listens on (any-address means the node's own address).</param>
    /// <param name="apiPort">The API's port.</param>
    public static IServiceCollection AddNodeAgent(this IServiceCollection services, Config config, string apiScheme, System.Net.IPAddress apiAddress, int apiPort)
    {
        ArgumentNullException.ThrowIfNull(apiAddress);
        var settings = NodeAgentSettings.From(config, Environment.GetEnvironmentVariable);
        if (settings.ApiEndpoint is null)
        {
            var host = apiAddress.Equals(System.Net.IPAddress.Any) || apiAddress.Equals(System.Net.IPAddress.IPv6Any) ? NodeRegistration.HostIp() : apiAddress.ToString();
            if (host.Contains(':', StringComparison.Ordinal)) host = "[" + host + "]";
            settings = settings with { ApiEndpoint = new Uri($"{apiScheme}://{host}:{apiPort}") };
        }
        var runtime = new DockerContainerRuntime(DockerRuntimeOptions.FromEnvironment(settings.NodeName));
        services.AddSingleton(new LocalNode(settings, runtime, new Streams.PodStreamOpener(runtime, runtime)));
        if (settings.Enabled) services.AddHostedService<NodeAgentService>();
        return services;
    }
}

/// <summary>Starts the node agent actor (a child of the user guardian, named <c>node-agent</c>) and the log and stream servers other members ask for this node's pod logs, execs and port connections.</summary>
internal sealed class NodeAgentService(ActorSystem system, ResourceStore store, LocalNode node, TimeProvider time, ILogger<NodeAgentService> log) : IHostedService, IDisposable
{
    private readonly HttpClient _probeHttp = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var hostIp = NodeRegistration.HostIp();
        var pool = new SandboxPool(node.Runtime, node.Settings.SandboxPoolSize, log);
        var agentStore = new ResourceStoreNodeAgentStore(store);
        var syncer = new PodSyncer(node.Runtime, agentStore, node.Name, hostIp, node.Settings.Backoff, time, _probeHttp, log, pool);
        system.ActorOf(NodeAgentActor.Props(node.Settings, agentStore, node.Runtime, syncer, time, hostIp, pool), "node-agent");
        system.ActorOf(Logs.PodLogServer.Props(new Logs.PodLogReader(node.Runtime)), Cluster.Logs.PodLogPaths.ServerName);
        system.ActorOf(Cluster.Streams.PodStreamServer.Props(node.Streams), Cluster.Streams.PodStreamPaths.ServerName);
        log.LogInformation("node agent for node {Node} started", node.Name);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _probeHttp.Dispose();
}
