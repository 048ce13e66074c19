using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Services;

/// <summary>
/// The environment variables kubelet gives a container for the Services that exist when it starts
/// (Kubernetes' <c>getServiceEnvVarMap</c> and <c>envvars.FromServices</c>), pure:
/// <code>
///   WEB_SERVICE_HOST=10.96.3.7                 the ClusterIP
///   WEB_SERVICE_PORT=80                        the first port
///   WEB_SERVICE_PORT_HTTP=80                   every named port
///   WEB_PORT=tcp://10.96.3.7:80                Docker-link style, the first port
///   WEB_PORT_80_TCP=tcp://10.96.3.7:80         and per port: the URL,
///   WEB_PORT_80_TCP_PROTO=tcp                  its protocol,
///   WEB_PORT_80_TCP_PORT=80                    port
///   WEB_PORT_80_TCP_ADDR=10.96.3.7             and address
/// </code>
/// The prefix is the Service's name upper-cased with '-' as '_'. Services of the pod's namespace
/// count when the pod's <c>enableServiceLinks</c> is true (the default); the <c>kubernetes</c>
/// Service of the <c>default</c> namespace always does unless the namespace has one of that name.
/// Headless Services (<c>clusterIP: None</c>) and those without a ClusterIP (ExternalName) give none.
/// The pod's own variables win over these (see <see cref="Merge"/>).
/// </summary>
public static class ServiceEnvironment
{
    /// <summary>The Services of the API server, exposed to pods of every namespace.</summary>
    private const string MasterService = "kubernetes";

    /// <summary>
    /// The variables for a pod of <paramref name="podNamespace"/> given <paramref name="services"/>
    /// (those of its namespace and of <c>default</c>; others are ignored), sorted by Service name.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(IEnumerable<JsonObject> services, string podNamespace, bool enableServiceLinks = true)
    {
        ArgumentNullException.ThrowIfNull(services);
        var chosen = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (ClusterIp(service) is null) continue;
            var name = service.Name();
            // The namespace's own Service of a name wins over default/kubernetes, whichever comes first.
            if (service.Namespace() == podNamespace && enableServiceLinks) chosen[name] = service;
            else if (service.Namespace() == "default" && name == MasterService) chosen.TryAdd(name, service);
        }
        var result = new List<KeyValuePair<string, string>>();
        foreach (var service in chosen.Values) AddVariables(service, result);
        return result;
    }

    /// <summary>Whether the pod's spec asks for the Services of its namespace (<c>enableServiceLinks</c>, true when absent).</summary>
    public static bool EnableServiceLinks(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod["spec"]?["enableServiceLinks"] is not JsonValue value || !value.TryGetValue<bool>(out var enabled) || enabled;
    }

    /// <summary>
    /// <paramref name="own"/> (the container's variables, in order) followed by the Service
    /// variables it does not define itself: the pod's own value of a name wins, as in kubelet.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Merge(IReadOnlyList<KeyValuePair<string, string>> own, IReadOnlyList<KeyValuePair<string, string>> fromServices)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(fromServices);
        var names = own.Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
        return [.. own, .. fromServices.Where(v => !names.Contains(v.Key))];
    }

    /// <summary>A Service name as a variable prefix: upper case, '-' as '_'.</summary>
    public static string VariableName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Replace('-', '_').ToUpperInvariant();
    }

    /// <summary>The Service's ClusterIP; null for a headless Service or one without (ExternalName).</summary>
    private static string? ClusterIp(JsonObject service) =>
        service["spec"].AsObjectOrNull().GetString("clusterIP") is { Length: > 0 } ip && ip != "None" ? ip : null;

    private static void AddVariables(JsonObject service, List<KeyValuePair<string, string>> result)
    {
        var ports = (service["spec"]?["ports"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (ports.Count == 0) return; // validation requires ports of a non-headless Service; nothing to say without
        var ip = ClusterIp(service)!;
        var prefix = VariableName(service.Name());
        void Add(string name, string value) => result.Add(new(name, value));
        static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

        Add(prefix + "_SERVICE_HOST", ip);
        Add(prefix + "_SERVICE_PORT", Number(PortOf(ports[0])));
        foreach (var port in ports)
        {
            if (port.GetString("name") is { Length: > 0 } portName) Add(prefix + "_SERVICE_PORT_" + VariableName(portName), Number(PortOf(port)));
        }
        var host = ip.Contains(':', StringComparison.Ordinal) ? "[" + ip + "]" : ip;
        for (var i = 0; i < ports.Count; i++)
        {
            var protocol = ports[i].GetString("protocol") is { Length: > 0 } p ? p : "TCP";
            var lower = protocol.ToLowerInvariant();
            var url = $"{lower}://{host}:{Number(PortOf(ports[i]))}";
            if (i == 0) Add(prefix + "_PORT", url); // Docker special-cases the first port
            var portPrefix = $"{prefix}_PORT_{Number(PortOf(ports[i]))}_{protocol.ToUpperInvariant()}";
            Add(portPrefix, url);
            Add(portPrefix + "_PROTO", lower);
            Add(portPrefix + "_PORT", Number(PortOf(ports[i])));
            Add(portPrefix + "_ADDR", ip);
        }
    }

    private static long PortOf(JsonObject port) => port["port"].GetLong() ?? 0;
}
