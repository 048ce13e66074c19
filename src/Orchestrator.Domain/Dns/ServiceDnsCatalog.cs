using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Services;

namespace Orchestrator.Domain.Dns;

/// <summary>A port of a Service or of an EndpointSlice, as DNS names it (<c>_name._proto</c>).</summary>
public sealed record DnsPort(string Name, string Protocol, int Port);

/// <summary>What DNS needs of a Service.</summary>
/// <param name="ClusterIp">Its ClusterIP; null for a headless Service and for one without.</param>
/// <param name="Headless"><c>clusterIP: None</c>: its names answer its ready endpoints.</param>
/// <param name="ExternalName">The name an ExternalName Service stands for (a CNAME); else null.</param>
public sealed record DnsService(string Namespace, string Name, IPAddress? ClusterIp, bool Headless, string? ExternalName, IReadOnlyList<DnsPort> Ports);

/// <summary>A ready endpoint of a slice: its address and, when its pod asked for one, its hostname.</summary>
public sealed record DnsEndpoint(IPAddress Address, string? Hostname);

/// <summary>What DNS needs of an EndpointSlice: its Service, ports and ready IPv4 endpoints.</summary>
public sealed record DnsSlice(string Namespace, string Name, string ServiceName, IReadOnlyList<DnsPort> Ports, IReadOnlyList<DnsEndpoint> Ready);

/// <summary>
/// The Services and EndpointSlices of the cluster as DNS reads them: an immutable value, changed by
/// watch events into a new one (<see cref="Apply"/>), so a query reads one consistent snapshot
/// while the next is being made. Only the few fields DNS needs are kept.
/// </summary>
public sealed class ServiceDnsCatalog
{
    private readonly ImmutableDictionary<string, DnsService> _services;
    private readonly ImmutableDictionary<string, DnsSlice> _slices;
    private readonly ImmutableDictionary<string, ImmutableHashSet<string>> _slicesByService;
    private readonly ImmutableDictionary<string, int> _servicesPerNamespace;

    private ServiceDnsCatalog(
        ImmutableDictionary<string, DnsService> services,
        ImmutableDictionary<string, DnsSlice> slices,
        ImmutableDictionary<string, ImmutableHashSet<string>> slicesByService,
        ImmutableDictionary<string, int> servicesPerNamespace)
    {
        _services = services;
        _slices = slices;
        _slicesByService = slicesByService;
        _servicesPerNamespace = servicesPerNamespace;
    }

    public static ServiceDnsCatalog Empty { get; } = new(
        ImmutableDictionary.Create<string, DnsService>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, DnsSlice>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, ImmutableHashSet<string>>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, int>(StringComparer.Ordinal));

    public int ServiceCount => _services.Count;

    public int SliceCount => _slices.Count;

    /// <summary>The Service, if it exists (names compared as stored: lower case, as Kubernetes names are).</summary>
    public DnsService? Service(string ns, string name) => _services.GetValueOrDefault(Key(ns, name));

    /// <summary>Whether any Service lives in <paramref name="ns"/>.</summary>
    public bool HasNamespace(string ns) => _servicesPerNamespace.ContainsKey(ns);

    /// <summary>The slices labelled with the Service's name.</summary>
    public IEnumerable<DnsSlice> SlicesOf(string ns, string service) =>
        _slicesByService.TryGetValue(Key(ns, service), out var keys) ? keys.Order(StringComparer.Ordinal).Select(k => _slices[k]) : [];

    /// <summary>The catalog after one watch event of a Service or an EndpointSlice (any other kind is ignored).</summary>
    public ServiceDnsCatalog Apply(string kind, WatchEventType type, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (type == WatchEventType.Bookmark) return this;
        var gone = type == WatchEventType.Deleted;
        if (kind == ServiceKind.Instance.Kind) return gone ? WithoutService(obj.Namespace(), obj.Name()) : WithService(obj);
        if (kind == EndpointSliceKind.Instance.Kind) return gone ? WithoutSlice(obj.Namespace(), obj.Name()) : WithSlice(obj);
        return this;
    }

    /// <summary>A catalog of these objects (a list's items).</summary>
    public static ServiceDnsCatalog From(IEnumerable<JsonObject> services, IEnumerable<JsonObject> slices)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(slices);
        var catalog = Empty;
        foreach (var s in services) catalog = catalog.WithService(s);
        foreach (var s in slices) catalog = catalog.WithSlice(s);
        return catalog;
    }

    public ServiceDnsCatalog WithService(JsonObject service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var entry = ReadService(service);
        var key = Key(entry.Namespace, entry.Name);
        var perNamespace = _services.ContainsKey(key) ? _servicesPerNamespace : _servicesPerNamespace.SetItem(entry.Namespace, _servicesPerNamespace.GetValueOrDefault(entry.Namespace) + 1);
        return new(_services.SetItem(key, entry), _slices, _slicesByService, perNamespace);
    }

    public ServiceDnsCatalog WithoutService(string ns, string name)
    {
        var key = Key(ns, name);
        if (!_services.ContainsKey(key)) return this;
        var left = _servicesPerNamespace.GetValueOrDefault(ns) - 1;
        return new(_services.Remove(key), _slices, _slicesByService, left > 0 ? _servicesPerNamespace.SetItem(ns, left) : _servicesPerNamespace.Remove(ns));
    }

    public ServiceDnsCatalog WithSlice(JsonObject slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var without = WithoutSlice(slice.Namespace(), slice.Name());
        var entry = ReadSlice(slice);
        if (entry is null) return without;
        var key = Key(entry.Namespace, entry.Name);
        var serviceKey = Key(entry.Namespace, entry.ServiceName);
        var keys = without._slicesByService.GetValueOrDefault(serviceKey) ?? ImmutableHashSet.Create<string>(StringComparer.Ordinal);
        return new(without._services, without._slices.SetItem(key, entry), without._slicesByService.SetItem(serviceKey, keys.Add(key)), without._servicesPerNamespace);
    }

    public ServiceDnsCatalog WithoutSlice(string ns, string name)
    {
        var key = Key(ns, name);
        if (!_slices.TryGetValue(key, out var old)) return this;
        var serviceKey = Key(old.Namespace, old.ServiceName);
        var keys = _slicesByService[serviceKey].Remove(key);
        return new(_services, _slices.Remove(key), keys.IsEmpty ? _slicesByService.Remove(serviceKey) : _slicesByService.SetItem(serviceKey, keys), _servicesPerNamespace);
    }

    private static string Key(string ns, string name) => ns + "/" + name;

    private static DnsService ReadService(JsonObject service)
    {
        var spec = service["spec"].AsObjectOrNull();
        var clusterIp = spec.GetString("clusterIP");
        var type = spec.GetString("type");
        var headless = clusterIp == "None";
        IPAddress? address = !headless && IPAddress.TryParse(clusterIp, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork ? ip : null;
        var external = type == "ExternalName" && spec.GetString("externalName") is { Length: > 0 } name ? name.TrimEnd('.').ToLowerInvariant() : null;
        return new DnsService(service.Namespace(), service.Name(), address, headless, external, ReadPorts(spec?["ports"]));
    }

    private static DnsSlice? ReadSlice(JsonObject slice)
    {
        if (slice.Labels().GetValueOrDefault(EndpointSliceKind.ServiceNameLabel) is not { Length: > 0 } service) return null;
        if (slice.GetString("addressType") is { } family && family != "IPv4") return null;
        var ready = new List<DnsEndpoint>();
        foreach (var endpoint in (slice["endpoints"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            // A missing ready condition means ready (the API's rule).
            if (endpoint["conditions"]?["ready"] is JsonValue value && value.TryGetValue<bool>(out var isReady) && !isReady) continue;
            var hostname = endpoint.GetString("hostname") is { Length: > 0 } h ? h.ToLowerInvariant() : null;
            foreach (var a in (endpoint["addresses"] as JsonArray)?.Select(n => n?.GetValue<string>()) ?? [])
            {
                if (IPAddress.TryParse(a, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork) ready.Add(new DnsEndpoint(ip, hostname));
            }
        }
        return new DnsSlice(slice.Namespace(), slice.Name(), service, ReadPorts(slice["ports"]), ready);
    }

    private static List<DnsPort> ReadPorts(JsonNode? ports) =>
        (ports as JsonArray)?.OfType<JsonObject>()
            .Select(p => new DnsPort((p.GetString("name") ?? "").ToLowerInvariant(), (p.GetString("protocol") ?? "TCP").ToLowerInvariant(), (int)(p["port"].GetLong() ?? 0)))
            .Where(p => p.Port is > 0 and <= 65535)
            .ToList() ?? [];
}
