using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Orchestrator.Domain.Dns;

namespace Orchestrator.NodeAgent.Dns;

/// <summary>The node's cluster DNS settings (<c>orchestrator.node-agent.dns</c>), read once. Immutable; copy with <c>with</c>.</summary>
/// <param name="Enabled">Whether this node runs the resolver and gives it to ClusterFirst pods.</param>
/// <param name="ClusterDomain">The cluster's domain (<c>cluster.local</c>).</param>
/// <param name="ListenAddress">Where the resolver listens; null: the gateway of the node's pod network.</param>
/// <param name="Port">Its port (53 for pods).</param>
/// <param name="Host">The host's resolv.conf as read at start.</param>
/// <param name="UpstreamPort">The port of the host's resolvers.</param>
/// <param name="ForwardTimeout">How long a forwarded question may take.</param>
/// <param name="Ttl">The TTL of the zone's answers.</param>
public sealed record ClusterDnsSettings(
    bool Enabled,
    string ClusterDomain,
    IPAddress? ListenAddress,
    int Port,
    ResolverConfig Host,
    int UpstreamPort,
    TimeSpan ForwardTimeout,
    TimeSpan Ttl)
{
    /// <summary>No resolver: ClusterFirst pods get the engine's default (unit tests, nodes with <c>enabled = off</c>).</summary>
    public static ClusterDnsSettings Disabled { get; } = new(false, "cluster.local", null, 53, ResolverConfig.Empty, 53, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

    /// <summary>Reads <c>dns</c> of the node agent's config (<c>orchestrator.node-agent</c>, already over its defaults).</summary>
    /// <exception cref="ConfigurationException">A value is out of range, or the resolv.conf cannot be read.</exception>
    public static ClusterDnsSettings From(Config nodeAgent)
    {
        ArgumentNullException.ThrowIfNull(nodeAgent);
        var c = nodeAgent.GetConfig("dns");
        var domain = c.GetString("cluster-domain", "cluster.local");
        try
        {
            domain = new ClusterDnsResolver(domain).Zone;
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"orchestrator.node-agent.dns.cluster-domain: {e.Message}");
        }
        var listen = c.GetString("listen-address", "");
        IPAddress? address = null;
        if (listen.Length > 0 && (!IPAddress.TryParse(listen, out address) || address.AddressFamily != AddressFamily.InterNetwork))
            throw new ConfigurationException($"orchestrator.node-agent.dns.listen-address must be empty or an IPv4 address, not \"{listen}\"");
        var port = c.GetInt("port", 53);
        var upstreamPort = c.GetInt("upstream-port", 53);
        if (port is < 1 or > 65535 || upstreamPort is < 1 or > 65535)
            throw new ConfigurationException($"orchestrator.node-agent.dns.port and upstream-port must be 1-65535, not {port} and {upstreamPort}");
        var forward = c.GetTimeSpan("forward-timeout", TimeSpan.FromSeconds(2));
        var ttl = c.GetTimeSpan("ttl", TimeSpan.FromSeconds(5));
        if (forward <= TimeSpan.Zero || ttl < TimeSpan.Zero)
            throw new ConfigurationException("orchestrator.node-agent.dns.forward-timeout must be positive and ttl not negative");
        var enabled = c.GetBoolean("enabled", true);
        var path = c.GetString("resolv-conf", "/etc/resolv.conf");
        ResolverConfig host;
        try
        {
            host = File.Exists(path) ? ResolverConfig.Parse(File.ReadAllText(path)) : ResolverConfig.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"orchestrator.node-agent.dns.resolv-conf: cannot read {path}: {e.Message}");
        }
        return new ClusterDnsSettings(enabled, domain, address, port, host, upstreamPort, forward, ttl);
    }
}
