using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Domain.Dns;

/// <summary>
/// The names of the cluster zone (Kubernetes' DNS specification, as CoreDNS's kubernetes plugin
/// answers them), pure: a name and a type in, records out, read from a <see cref="ServiceDnsCatalog"/>.
/// <code>
///   web.shop.svc.cluster.local            A      the ClusterIP; headless: one per ready endpoint
///   web.shop.svc.cluster.local            CNAME  an ExternalName Service's name
///   db-0.db.shop.svc.cluster.local        A      the endpoint of a headless Service with that hostname
///   10-244-1-5.db.shop.svc.cluster.local  A      an endpoint of a headless Service without one
///   _http._tcp.web.shop.svc.cluster.local SRV    a named port: the Service's name, or each ready endpoint (headless)
///   10-244-1-5.shop.pod.cluster.local     A      10.244.1.5
///   cluster.local, svc.cluster.local, pod.cluster.local, shop.svc.cluster.local (shop has Services): no data
///   any other name in the zone            NXDOMAIN
///   any name outside the zone             not ours: the caller forwards it
/// </code>
/// Short names (<c>web</c>, <c>web.shop</c>) become these through the pod's search path. Only IPv4
/// is answered; AAAA questions of existing names get no data.
/// </summary>
public sealed class ClusterDnsResolver
{
    private readonly string _zone;
    private readonly string _dotZone;

    /// <param name="clusterDomain">The cluster's domain, e.g. <c>cluster.local</c>.</param>
    /// <exception cref="ArgumentException">The domain is empty or not a DNS name.</exception>
    public ClusterDnsResolver(string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(clusterDomain);
        _zone = clusterDomain.Trim().TrimEnd('.').ToLowerInvariant();
        if (_zone.Length == 0 || _zone.Split('.').Any(l => l.Length is 0 or > 63) || _zone.Length > 253)
            throw new ArgumentException($"the cluster domain \"{clusterDomain}\" is not a DNS name", nameof(clusterDomain));
        _dotZone = "." + _zone;
    }

    /// <summary>The zone, lower case, without a trailing dot.</summary>
    public string Zone => _zone;

    /// <summary>Whether <paramref name="name"/> is the zone or in it.</summary>
    public bool InZone(string name)
    {
        var n = Normalize(name);
        return n == _zone || n.EndsWith(_dotZone, StringComparison.Ordinal);
    }

    public DnsResolution Resolve(ServiceDnsCatalog catalog, string name, DnsQuestionType type)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(name);
        var qname = Normalize(name);
        if (qname == _zone) return DnsResolution.NoData;
        if (!qname.EndsWith(_dotZone, StringComparison.Ordinal)) return DnsResolution.NotInZone;
        var labels = qname[..^_dotZone.Length].Split('.');
        return labels switch
        {
            ["svc" or "pod"] => DnsResolution.NoData,
            [var ns, "svc"] => catalog.HasNamespace(ns) ? DnsResolution.NoData : DnsResolution.NameError,
            [var service, var ns, "svc"] => ServiceName(catalog, qname, service, ns, type),
            [var host, var service, var ns, "svc"] => EndpointName(catalog, qname, host, service, ns, type),
            [['_', ..] port, ['_', ..] protocol, var service, var ns, "svc"] => PortName(catalog, qname, port[1..], protocol[1..], service, ns, type),
            [var dashed, _, "pod"] => PodName(qname, dashed, type),
            _ => DnsResolution.NameError,
        };
    }

    private static DnsResolution ServiceName(ServiceDnsCatalog catalog, string qname, string service, string ns, DnsQuestionType type)
    {
        if (catalog.Service(ns, service) is not { } s) return DnsResolution.NameError;
        if (s.ExternalName is { } target)
            return type is DnsQuestionType.A or DnsQuestionType.Aaaa or DnsQuestionType.Cname or DnsQuestionType.Any ? DnsResolution.Of([new AliasRecord(qname, target)]) : DnsResolution.NoData;
        if (type is not (DnsQuestionType.A or DnsQuestionType.Any)) return DnsResolution.NoData;
        if (s.ClusterIp is { } ip) return DnsResolution.Of([new AddressRecord(qname, ip)]);
        if (!s.Headless) return DnsResolution.NoData;
        return DnsResolution.Of(ReadyEndpoints(catalog, s).Select(e => e.Endpoint.Address).Distinct().Select(a => (DnsAnswerRecord)new AddressRecord(qname, a)).ToList());
    }

    private static DnsResolution EndpointName(ServiceDnsCatalog catalog, string qname, string host, string service, string ns, DnsQuestionType type)
    {
        if (catalog.Service(ns, service) is not { Headless: true } s) return DnsResolution.NameError;
        var matches = ReadyEndpoints(catalog, s).Where(e => EndpointLabel(e.Endpoint) == host || Dashed(e.Endpoint.Address) == host)
            .Select(e => e.Endpoint.Address).Distinct().ToList();
        if (matches.Count == 0) return DnsResolution.NameError;
        return type is DnsQuestionType.A or DnsQuestionType.Any ? DnsResolution.Of(matches.Select(a => (DnsAnswerRecord)new AddressRecord(qname, a)).ToList()) : DnsResolution.NoData;
    }

    private DnsResolution PortName(ServiceDnsCatalog catalog, string qname, string port, string protocol, string service, string ns, DnsQuestionType type)
    {
        if (port.Length == 0 || catalog.Service(ns, service) is not { } s) return DnsResolution.NameError;
        var serviceName = $"{service}.{ns}.svc.{_zone}";
        var answers = new List<DnsAnswerRecord>();
        var additional = new List<DnsAnswerRecord>();
        if (s.ClusterIp is { } ip)
        {
            if (s.Ports.FirstOrDefault(p => p.Name == port && p.Protocol == protocol) is { } p)
            {
                answers.Add(new ServiceLocationRecord(qname, 0, 100, p.Port, serviceName));
                additional.Add(new AddressRecord(serviceName, ip));
            }
        }
        else if (s.Headless)
        {
            var targets = ReadyEndpoints(catalog, s)
                .SelectMany(e => e.Slice.Ports.Where(p => p.Name == port && p.Protocol == protocol).Select(p => (Target: $"{EndpointLabel(e.Endpoint)}.{serviceName}", e.Endpoint.Address, p.Port)))
                .Distinct()
                .ToList();
            var weight = targets.Count == 0 ? 0 : Math.Max(1, 100 / targets.Count);
            foreach (var (target, address, targetPort) in targets)
            {
                answers.Add(new ServiceLocationRecord(qname, 0, weight, targetPort, target));
                additional.Add(new AddressRecord(target, address));
            }
        }
        if (answers.Count == 0) return DnsResolution.NameError;
        return type is DnsQuestionType.Srv or DnsQuestionType.Any ? DnsResolution.Of(answers, additional.Distinct().ToList()) : DnsResolution.NoData;
    }

    private static DnsResolution PodName(string qname, string dashed, DnsQuestionType type)
    {
        var parts = dashed.Split('-');
        if (parts.Length != 4 || !parts.All(p => byte.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _))) return DnsResolution.NameError;
        var address = IPAddress.Parse(string.Join('.', parts));
        return type is DnsQuestionType.A or DnsQuestionType.Any ? DnsResolution.Of([new AddressRecord(qname, address)]) : DnsResolution.NoData;
    }

    private static IEnumerable<(DnsSlice Slice, DnsEndpoint Endpoint)> ReadyEndpoints(ServiceDnsCatalog catalog, DnsService service) =>
        catalog.SlicesOf(service.Namespace, service.Name).SelectMany(slice => slice.Ready.Select(e => (slice, e)));

    /// <summary>An endpoint's label under its Service: its hostname, else its address with dashes (CoreDNS's rule).</summary>
    private static string EndpointLabel(DnsEndpoint endpoint) => endpoint.Hostname ?? Dashed(endpoint.Address);

    private static string Dashed(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? address.ToString().Replace('.', '-') : address.ToString().Replace(':', '-');

    private static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();
}
