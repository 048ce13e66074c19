using Akka.Configuration;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Cluster.Hosting;
using Orchestrator.Cluster.Scheduling;
using Orchestrator.Cluster.Secrets;
using Orchestrator.Cluster.Services;
using Orchestrator.NodeAgent;
using Orchestrator.NodeAgent.Hosting;
using Orchestrator.Runtime;

namespace Orchestrator.Host.Configuration;

/// <summary>
/// Every component's settings, read once from the node's configuration (<see cref="NodeConfiguration.Load"/>)
/// before anything starts, so a bad value stops the node at once with the key's name.
/// </summary>
/// <param name="Api">The API server (<c>orchestrator.api</c>).</param>
/// <param name="ControlPlane">The store and index (<c>orchestrator.store</c>, <c>orchestrator.index</c>).</param>
/// <param name="Services">Service address allocation (<c>orchestrator.services</c>).</param>
/// <param name="Scheduler">The scheduler (<c>orchestrator.scheduler</c>).</param>
/// <param name="Controllers">The controllers (<c>orchestrator.controllers</c>).</param>
/// <param name="NodeAgent">This member's node agent (<c>orchestrator.node-agent</c>), its API endpoint filled in.</param>
/// <param name="Docker">This member's Docker engine.</param>
/// <param name="Secrets">Where the Secret encryption keys come from (<c>orchestrator.secrets</c>).</param>
/// <param name="ServiceProxy">This member's service proxy (<c>orchestrator.service-proxy</c>).</param>
public sealed record NodeSettings(
    ApiSettings Api,
    ControlPlaneSettings ControlPlane,
    ServiceSettings Services,
    SchedulerSettings Scheduler,
    ControllerSettings Controllers,
    NodeAgentSettings NodeAgent,
    DockerRuntimeOptions Docker,
    SecretEncryptionSettings Secrets,
    Orchestrator.NodeAgent.Proxy.ServiceProxySettings ServiceProxy)
{
    public static NodeSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var api = ApiSettings.From(config);
        var proxy = Orchestrator.NodeAgent.Proxy.ServiceProxySettings.From(config);
        var nodeAgent = NodeAgentSettings.From(config).WithApiEndpointOf(api.Scheme, api.BindAddress, api.Port);
        if (proxy.Enabled) nodeAgent = nodeAgent with { ServiceRelay = proxy.RelayEndpoint(NodeRegistration.HostIp()) };
        return new NodeSettings(
            api,
            ControlPlaneSettings.From(config),
            ServiceSettings.From(config.GetConfig("orchestrator.services")),
            SchedulerSettings.From(config.GetConfig("orchestrator.scheduler")),
            ControllerSettings.From(config.GetConfig("orchestrator.controllers")),
            nodeAgent,
            DockerOptions(nodeAgent),
            SecretEncryptionSettings.From(config, config.GetString("orchestrator.data-dir", "data")),
            proxy);
    }

    private static DockerRuntimeOptions DockerOptions(NodeAgentSettings nodeAgent)
    {
        var options = new DockerRuntimeOptions(nodeAgent.NodeName);
        if (nodeAgent.DockerEndpoint is { } engine) options = options with { Endpoint = engine };
        return nodeAgent.PodSubnetPool is { } pool ? options.WithOwnPodNetwork(pool) : options;
    }
}
