using Akka.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Cluster.Resources;
using Orchestrator.Cluster.Services;
using Orchestrator.NodeAgent.Proxy;

namespace Orchestrator.NodeAgent.Hosting;

/// <summary>Wiring of the service proxy into the node process, after the node agent:
/// <code>
///     .WithNodeAgent(nodeAgent, time)
///     .WithServiceProxy(proxy, nodeAgent, services, time)
/// </code>
/// </summary>
public static class ServiceProxyHosting
{
    /// <summary>
    /// When the node agent and the proxy are both enabled, starts this node's service proxy (an
    /// actor named <c>service-proxy</c>) on <see cref="LocalNode"/>'s pod network. Needs
    /// <see cref="LocalNode"/> and the <see cref="ResourceStore"/> in DI.
    /// </summary>
    public static AkkaConfigurationBuilder WithServiceProxy(this AkkaConfigurationBuilder akka, ServiceProxySettings settings, NodeAgentSettings nodeAgent, ServiceSettings services, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(nodeAgent);
        ArgumentNullException.ThrowIfNull(services);
        if (!settings.Enabled || !nodeAgent.Enabled) return akka;
        return akka.WithActors((system, _, resolver) =>
        {
            var node = resolver.GetService<LocalNode>();
            var log = resolver.GetService<ILoggerFactory>().CreateLogger("Orchestrator.ServiceProxy");
            var dialer = new EndpointDialer(node.Name, settings.ConnectTimeout);
            var proxy = new ServiceProxy(settings, services.Ranges.ClusterIps, node.Runtime, new IpCommandServiceAddresses(), dialer, time, log);
            var store = new ResourceStoreNodeAgentStore(resolver.GetService<ResourceStore>());
            system.ActorOf(ServiceProxyActor.Props(store, proxy, dialer), "service-proxy");
        });
    }
}
