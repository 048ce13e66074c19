using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.ServiceProxy;

/// <summary>The transport of a Service port the proxy forwards.</summary>
public enum ProxyProtocol
{
    Tcp,
    Udp,
}

/// <summary>One endpoint of a Service port, from an EndpointSlice.</summary>
/// <param name="Address">The pod's address.</param>
/// <param name="Port">The port on the pod.</param>
/// <param name="NodeName">The node the pod runs on (null when the slice does not say: treated as this node's).</param>
/// <param name="Ready">Ready: serving and not terminating.</param>
/// <param name="Serving">Its Ready condition, whether or not it terminates.</param>
/// <param name="Terminating">Being deleted.</param>
public sealed record ProxyEndpoint(string Address, int Port, string? NodeName, bool Ready, bool Serving, bool Terminating)
{
    public override string ToString() => $"{Address}:{Port.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>Which Service port a rule is for.</summary>
public sealed record ServicePortKey(string Namespace, string Service, string PortName, ProxyProtocol Protocol)
{
    public override string ToString() => $"{Namespace}/{Service}:{(PortName.Length > 0 ? PortName : "-")}/{Protocol.ToString().ToUpperInvariant()}";
}

/// <summary>What the proxy forwards for one Service port: its ClusterIP:port and NodePort to its endpoints.</summary>
/// <param name="ClusterIp">The Service's ClusterIP; null for headless Services (then there is no rule at all).</param>
/// <param name="Port">The Service port.</param>
/// <param name="NodePort">The node port, for NodePort and LoadBalancer Services.</param>
/// <param name="AffinityTimeout">With <c>sessionAffinity: ClientIP</c>, how long a client sticks to its endpoint.</param>
/// <param name="Endpoints">Every endpoint of the port, usable or not (the picker chooses).</param>
public sealed record ServicePortRule(ServicePortKey Key, string ClusterIp, int Port, int? NodePort, TimeSpan? AffinityTimeout, IReadOnlyList<ProxyEndpoint> Endpoints);

/// <summary>Pure: the proxy rules of a Service from the Service and its EndpointSlices.</summary>
public static class ProxyRules
{
    /// <summary>The label naming a slice's Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>Kubernetes' default <c>sessionAffinityConfig.clientIP.timeoutSeconds</c>: 3 hours.</summary>
    public static readonly TimeSpan DefaultAffinityTimeout = TimeSpan.FromSeconds(10800);

    /// <summary>
    /// One rule per TCP or UDP port of <paramref name="service"/> (none for headless, ExternalName or
    /// SCTP ports), with the endpoints of <paramref name="slices"/> whose port has the same name and
    /// protocol. Endpoints listed twice (in two slices) count once.
    /// </summary>
    public static IReadOnlyList<ServicePortRule> For(JsonObject service, IEnumerable<JsonObject> slices)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(slices);
        var spec = service["spec"] as JsonObject;
        var type = spec.GetString("type") ?? "ClusterIP";
        var clusterIp = spec.GetString("clusterIP");
        if (type == "ExternalName" || string.IsNullOrEmpty(clusterIp) || clusterIp == "None") return [];
        TimeSpan? affinity = spec.GetString("sessionAffinity") == "ClientIP"
            ? spec?["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"].GetLong() is { } seconds and > 0 ? TimeSpan.FromSeconds(seconds) : DefaultAffinityTimeout
            : null;
        var sliceList = slices.ToList();
        var rules = new List<ServicePortRule>();
        foreach (var port in (spec?["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (ProtocolOf(port.GetString("protocol")) is not { } protocol) continue;
            if (port["port"].GetLong() is not { } number) continue;
            var name = port.GetString("name") ?? "";
            var nodePort = type is "NodePort" or "LoadBalancer" ? (int?)port["nodePort"].GetLong() : null;
            var endpoints = new List<ProxyEndpoint>();
            var seen = new HashSet<(string, int)>();
            foreach (var slice in sliceList)
            {
                var slicePort = (slice["ports"] as JsonArray ?? []).OfType<JsonObject>()
                    .FirstOrDefault(p => (p.GetString("name") ?? "") == name && ProtocolOf(p.GetString("protocol")) == protocol);
                if (slicePort?["port"].GetLong() is not { } target) continue;
                foreach (var endpoint in (slice["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var conditions = endpoint["conditions"] as JsonObject;
                    var ready = conditions?["ready"]?.GetValue<bool>() ?? true;
                    var serving = conditions?["serving"]?.GetValue<bool>() ?? ready;
                    var terminating = conditions?["terminating"]?.GetValue<bool>() ?? false;
                    foreach (var address in (endpoint["addresses"] as JsonArray ?? []).Select(a => a?.GetValue<string>()).OfType<string>())
                    {
                        if (!seen.Add((address, (int)target))) continue;
                        endpoints.Add(new ProxyEndpoint(address, (int)target, endpoint.GetString("nodeName"), ready, serving, terminating));
                    }
                }
            }
            rules.Add(new ServicePortRule(new ServicePortKey(service.Namespace(), service.Name(), name, protocol), clusterIp, (int)number, nodePort, affinity, endpoints));
        }
        return rules;
    }

    private static ProxyProtocol? ProtocolOf(string? protocol) => protocol switch
    {
        null or "TCP" => ProxyProtocol.Tcp,
        "UDP" => ProxyProtocol.Udp,
        _ => null,
    };
}
