using System.Net;
using Akka.Configuration;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>The service proxy's settings (<c>orchestrator.service-proxy</c>), read once. Immutable; copy with <c>with</c>.</summary>
/// <param name="Enabled">Whether this node runs the service proxy (only with the node agent).</param>
/// <param name="NodeAddress">Where NodePorts and the relay listen; null: every address (<c>0.0.0.0</c>).</param>
/// <param name="RelayPort">The port of this node's endpoint relay (other nodes reach its pods through it).</param>
/// <param name="ConnectTimeout">How long one connect to an endpoint may take before the next one is tried.</param>
/// <param name="UdpIdleTimeout">How long a UDP client's flow to its endpoint lives without a datagram.</param>
public sealed record ServiceProxySettings(bool Enabled, IPAddress? NodeAddress, int RelayPort, TimeSpan ConnectTimeout, TimeSpan UdpIdleTimeout)
{
    /// <summary>The Node annotation holding the address of the node's relay (<c>host:port</c>).</summary>
    public const string RelayAnnotation = "orchestrator.io/service-relay";

    /// <summary>Reads <c>orchestrator.service-proxy</c> over the node agent's <c>reference.conf</c>.</summary>
    /// <exception cref="ConfigurationException">A value is out of range.</exception>
    public static ServiceProxySettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.WithFallback(NodeAgentSettings.DefaultConfig).GetConfig("orchestrator.service-proxy");
        var address = c.GetString("node-address", "");
        IPAddress? nodeAddress = null;
        if (address.Length > 0 && (!IPAddress.TryParse(address, out nodeAddress) || nodeAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
            throw new ConfigurationException($"orchestrator.service-proxy.node-address must be an IPv4 address or empty, not \"{address}\"");
        var relay = c.GetInt("relay-port", 10260);
        if (relay is < 1 or > 65535) throw new ConfigurationException($"orchestrator.service-proxy.relay-port must be between 1 and 65535, not {relay}");
        var connect = c.GetTimeSpan("connect-timeout", TimeSpan.FromSeconds(1));
        var idle = c.GetTimeSpan("udp-idle-timeout", TimeSpan.FromSeconds(30));
        if (connect <= TimeSpan.Zero || idle <= TimeSpan.Zero)
            throw new ConfigurationException("orchestrator.service-proxy.connect-timeout and udp-idle-timeout must be positive");
        return new ServiceProxySettings(c.GetBoolean("enabled", true), nodeAddress, relay, connect, idle);
    }

    /// <summary>The relay's address as other nodes are told it: the node address, else <paramref name="hostIp"/>.</summary>
    public string RelayEndpoint(string hostIp) => $"{NodeAddress?.ToString() ?? hostIp}:{RelayPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
