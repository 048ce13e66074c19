using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Orchestrator.Domain.ServiceAllocations;
using Orchestrator.Domain.ServiceProxy;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>
/// This node's service proxy (the kube-proxy role): for every Service port a ClusterIP listener on
/// the pod network's bridge (the ClusterIP added there as a /32, so the node's pods reach it) and,
/// for NodePort Services, a listener on the node's address; both forward to the port's endpoints
/// (<see cref="EndpointPicker"/>). A port without usable endpoints has no listener, so its
/// connections are refused at once. Also runs this node's <see cref="ServiceRelay"/>.
/// Not thread-safe: one caller applies changes at a time (<see cref="ServiceProxyActor"/>).
/// </summary>
public sealed class ServiceProxy(
    ServiceProxySettings settings,
    ClusterIpRange clusterIps,
    IContainerRuntime runtime,
    IServiceAddresses addresses,
    EndpointDialer dialer,
    TimeProvider time,
    ILogger log) : IDisposable
{
    private readonly Dictionary<ServicePortKey, (ServicePortRule Rule, EndpointPicker Picker)> _rules = [];
    private readonly Dictionary<string, IReadOnlyList<ServicePortKey>> _portsOfService = new(StringComparer.Ordinal);
    private readonly Dictionary<(IPAddress Address, int Port, ProxyProtocol Protocol), IDisposable> _listeners = [];
    private readonly HashSet<IPAddress> _addresses = [];
    private PodNetwork? _network;
    private ServiceRelay? _relay;

    /// <summary>Sets up the pod network, removes ClusterIPs a previous run left on its bridge and starts the relay.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _network = await runtime.GetPodNetworkAsync(ct);
        foreach (var stale in (await addresses.ListAsync(_network.BridgeInterface, ct)).Where(a => clusterIps.Contains(a.ToString())))
            await addresses.RemoveAsync(_network.BridgeInterface, stale, ct);
        _relay = new ServiceRelay(new IPEndPoint(settings.NodeAddress ?? IPAddress.Any, settings.RelayPort), _network.Subnet, settings.ConnectTimeout, log);
        try
        {
            _relay.Start();
        }
        catch (SocketException e)
        {
            log.LogError("the service relay cannot listen on {Address}:{Port} ({Error}): other nodes cannot reach this node's pods through Services", settings.NodeAddress?.ToString() ?? "0.0.0.0", settings.RelayPort, e.Message);
        }
        log.LogInformation("service proxy on {Bridge} ({Subnet}, gateway {Gateway}), relay {Relay}", _network.BridgeInterface, _network.Subnet, _network.Gateway, _relay.LocalEndPoint);
    }

    /// <summary>Makes the proxy forward the ports of Service <paramref name="service"/> (<c>namespace/name</c>) as <paramref name="rules"/> say (none: the Service is gone or has no ClusterIP).</summary>
    public async Task ApplyAsync(string service, IReadOnlyList<ServicePortRule> rules, CancellationToken ct)
    {
        var network = _network ?? throw new InvalidOperationException("the service proxy has not started");
        var keys = rules.Select(r => r.Key).ToList();
        foreach (var gone in _portsOfService.GetValueOrDefault(service, []).Except(keys)) _rules.Remove(gone);
        if (keys.Count > 0) _portsOfService[service] = keys;
        else _portsOfService.Remove(service);
        foreach (var rule in rules)
        {
            if (_rules.TryGetValue(rule.Key, out var known)) known.Picker.Update(rule);
            _rules[rule.Key] = (rule, known.Picker ?? new EndpointPicker(rule));
        }

        // Addresses first: a listener can only bind a ClusterIP that is local.
        var wantedAddresses = _rules.Values.Select(r => IPAddress.TryParse(r.Rule.ClusterIp, out var ip) ? ip : null).OfType<IPAddress>().ToHashSet();
        foreach (var address in wantedAddresses.Except(_addresses).ToList())
        {
            try
            {
                await addresses.AddAsync(network.BridgeInterface, address, ct);
                _addresses.Add(address);
            }
            catch (InvalidOperationException e)
            {
                log.LogWarning("cannot add ClusterIP {Address} to {Bridge}: {Error}", address, network.BridgeInterface, e.Message);
            }
        }

        var wanted = new Dictionary<(IPAddress Address, int Port, ProxyProtocol Protocol), (EndpointPicker Picker, string? Device)>();
        foreach (var (rule, picker) in _rules.Values)
        {
            if (!picker.HasEndpoints) continue;
            if (IPAddress.TryParse(rule.ClusterIp, out var ip) && _addresses.Contains(ip))
                wanted[(ip, rule.Port, rule.Key.Protocol)] = (picker, network.BridgeInterface);
            if (rule.NodePort is { } nodePort)
                wanted[(settings.NodeAddress ?? IPAddress.Any, nodePort, rule.Key.Protocol)] = (picker, null);
        }
        foreach (var key in _listeners.Keys.Where(k => !wanted.ContainsKey(k)).ToList())
        {
            _listeners[key].Dispose();
            _listeners.Remove(key);
        }
        foreach (var (key, (picker, device)) in wanted)
        {
            if (_listeners.TryGetValue(key, out var open))
            {
                if (open is UdpServiceListener udp) udp.DropFlowsNotIn(EndpointPicker.Usable(_rules.Values.First(r => r.Picker == picker).Rule.Endpoints));
                continue;
            }
            try
            {
                var bind = new IPEndPoint(key.Address, key.Port);
                _listeners[key] = key.Protocol == ProxyProtocol.Tcp
                    ? new TcpServiceListener(bind, device, () => picker, dialer, time, log)
                    : new UdpServiceListener(bind, device, () => picker, time, settings.UdpIdleTimeout, log);
            }
            catch (SocketException e)
            {
                log.LogWarning("cannot listen on {Address}:{Port}/{Protocol} for a Service: {Error}", key.Address, key.Port, key.Protocol, e.Message);
            }
        }

        foreach (var address in _addresses.Except(wantedAddresses).ToList())
        {
            try
            {
                await addresses.RemoveAsync(network.BridgeInterface, address, ct);
            }
            catch (InvalidOperationException e)
            {
                log.LogWarning("cannot remove ClusterIP {Address} from {Bridge}: {Error}", address, network.BridgeInterface, e.Message);
            }
            _addresses.Remove(address);
        }
    }

    /// <summary>Stops every listener and the relay (open connections are left to end).</summary>
    public void Dispose()
    {
        foreach (var listener in _listeners.Values) listener.Dispose();
        _listeners.Clear();
        _relay?.Dispose();
    }

    /// <summary>Removes the ClusterIPs this proxy added (at the node's shutdown).</summary>
    public async Task RemoveAddressesAsync(CancellationToken ct)
    {
        if (_network is null) return;
        foreach (var address in _addresses.ToList())
        {
            try
            {
                await addresses.RemoveAsync(_network.BridgeInterface, address, ct);
            }
            catch (InvalidOperationException)
            {
            }
        }
        _addresses.Clear();
    }
}
