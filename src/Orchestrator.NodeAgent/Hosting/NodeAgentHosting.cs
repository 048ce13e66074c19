using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
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
/// <remarks>
/// <code>
/// services.AddLocalNode(nodeAgent, docker);
/// services.AddAkka("orchestrator", (akka, sp) => akka
///     ...                              // the control plane first: the agent writes through the ResourceStore
///     .WithNodeAgent(nodeAgent, time));
/// </code>
/// </remarks>
public static class NodeAgentHosting
{
    /// <summary>
    /// The settings with <see cref="NodeAgentSettings.ApiEndpoint"/> filled in, when the
    /// configuration left it empty, from where this member's API listens (the any-address means
    /// the node's own address).
    /// </summary>
    public static NodeAgentSettings WithApiEndpointOf(this NodeAgentSettings settings, string apiScheme, System.Net.IPAddress apiAddress, int apiPort)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(apiAddress);
        if (settings.ApiEndpoint is not null) return settings;
        var host = apiAddress.Equals(System.Net.IPAddress.Any) || apiAddress.Equals(System.Net.IPAddress.IPv6Any) ? NodeRegistration.HostIp() : apiAddress.ToString();
        if (host.Contains(':', StringComparison.Ordinal)) host = "[" + host + "]";
        return settings with { ApiEndpoint = new Uri($"{apiScheme}://{host}:{apiPort}") };
    }

    /// <summary>
    /// Registers <see cref="LocalNode"/>: this member's engine through <paramref name="docker"/>
    /// (the logs and streaming endpoints use it whether or not the agent runs).
    /// </summary>
    public static IServiceCollection AddLocalNode(this IServiceCollection services, NodeAgentSettings settings, DockerRuntimeOptions docker)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        var runtime = new DockerContainerRuntime(docker);
        services.AddSingleton(new LocalNode(settings, runtime, new Streams.PodStreamOpener(runtime, runtime)));
        return services;
    }

    /// <summary>
    /// When <see cref="NodeAgentSettings.Enabled"/>, starts this member's node agent actor (named
    /// <c>node-agent</c>) and the log and stream servers other members ask for this node's pod
    /// logs, execs and port connections, and (<see cref="NodeAgentSettings.Dns"/>) the node's cluster
    /// resolver for its pods. Needs <see cref="LocalNode"/> and the
    /// <see cref="ResourceStore"/> in DI, and the control plane's steps before it in the chain.
    /// </summary>
    public static AkkaConfigurationBuilder WithNodeAgent(this AkkaConfigurationBuilder akka, NodeAgentSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled) return akka;
        return akka.WithActors((system, registry, resolver) =>
        {
            var node = resolver.GetService<LocalNode>();
            var log = resolver.GetService<ILoggerFactory>().CreateLogger("Orchestrator.NodeAgent");
            var probeHttp = new HttpClient();
            system.RegisterOnTermination(probeHttp.Dispose);
            var hostIp = NodeRegistration.HostIp();
            var pool = new SandboxPool(node.Runtime, settings.SandboxPoolSize, log);
            var agentStore = new ResourceStoreNodeAgentStore(resolver.GetService<ResourceStore>());
            var volumes = OperatingSystem.IsLinux()
                ? new Volumes.PodVolumes(new Volumes.HostFileSystem(), settings.VolumesDirectory, time) { RefreshInterval = settings.VolumeRefreshInterval }
                : null;
            var syncer = new PodSyncer(node.Runtime, agentStore, node.Name, hostIp, settings.Backoff, time, probeHttp, log, pool, settings.Dns, volumes);
            system.ActorOf(NodeAgentActor.Props(settings, agentStore, node.Runtime, syncer, time, hostIp, pool), "node-agent");
            system.ActorOf(Logs.PodLogServer.Props(new Logs.PodLogReader(node.Runtime)), Cluster.Logs.PodLogPaths.ServerName);
            system.ActorOf(Cluster.Streams.PodStreamServer.Props(node.Streams), Cluster.Streams.PodStreamPaths.ServerName);
            if (settings.Dns.Enabled)
            {
                var stopping = new CancellationTokenSource();
                system.RegisterOnTermination(stopping.Cancel);
                var feed = new Dns.ServiceCatalogFeed(agentStore, log, time);
                _ = Task.Run(() => Dns.ClusterDns.RunAsync(settings.Dns, node.Runtime, feed, log, time, stopping.Token), stopping.Token);
            }
            log.LogInformation("node agent for node {Node} started", node.Name);
        });
    }
}
