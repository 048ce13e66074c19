using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Endpoints;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.Domain.Controllers;

/// <summary>What the endpoints controller writes for one Service.</summary>
/// <param name="Endpoints">The Endpoints to create or update (null: leave as it is).</param>
/// <param name="DeleteEndpoints">True when the Service is gone and its Endpoints must go too.</param>
/// <param name="Slices">The EndpointSlices to create or update.</param>
/// <param name="DeleteSlices">Names of the Service's slices that are no longer wanted.</param>
public sealed record EndpointsPlan(JsonObject? Endpoints, bool DeleteEndpoints, IReadOnlyList<JsonObject> Slices, IReadOnlyList<string> DeleteSlices)
{
    public static EndpointsPlan Nothing { get; } = new(null, false, [], []);

    public bool IsEmpty => Endpoints is null && !DeleteEndpoints && Slices.Count == 0 && DeleteSlices.Count == 0;
}

/// <summary>
/// The pure rules of the endpoints and EndpointSlice controllers (Kubernetes' endpoints and
/// endpointslice controllers in one): from a Service's selector and the pods it picks, the
/// Endpoints (ready addresses and not-ready ones; terminating pods left out) and the slices
/// (every pod with an IP, with ready / serving / terminating conditions). A named targetPort is
/// resolved against each pod's containerPorts; a pod without that port gets no address for it.
/// A Service without a selector keeps whatever Endpoints its user wrote.
/// </summary>
public static class EndpointsReconciler
{
    public const string ControllerName = "endpointslice-controller.k8s.io";

    /// <summary>At most this many endpoints per slice (Kubernetes' default maxEndpointsPerSlice).</summary>
    public const int MaxEndpointsPerSlice = 100;

    /// <summary>The selector of a Service, or null when it has none (its endpoints are the user's).</summary>
    public static LabelSelector? Selector(JsonObject service) =>
        service["spec"]?["selector"] is JsonObject map && map.Count > 0 ? LabelSelector.FromMatchLabels(ObjectMeta.StringMap(map)) : null;

    /// <param name="service">The Service, or null when it was deleted.</param>
    /// <param name="pods">The pods of the Service's namespace (those its selector picks are used).</param>
    /// <param name="endpoints">The Endpoints of the same name, if any.</param>
    /// <param name="slices">The slices labelled with the Service's name, if any.</param>
    public static EndpointsPlan Reconcile(JsonObject? service, IEnumerable<JsonObject> pods, JsonObject? endpoints, IReadOnlyList<JsonObject> slices)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(slices);
        var ours = slices.Where(s => s.Labels().GetValueOrDefault(EndpointSliceKind.ManagedByLabel) == ControllerName).ToList();
        if (service is null)
            return new EndpointsPlan(null, endpoints is not null && IsOurs(endpoints), [], ours.Select(s => s.Name()).ToList());
        var selector = Selector(service);
        if (selector is null || service["spec"].AsObjectOrNull().GetString("type") == "ExternalName")
            return new EndpointsPlan(null, false, [], ours.Select(s => s.Name()).ToList());

        var publishNotReady = service["spec"]?["publishNotReadyAddresses"]?.GetValue<bool>() == true;
        var picked = pods.Where(p => selector.Matches(p) && PodIp(p) is not null && PodHelpers.Phase(p) is not ("Succeeded" or "Failed"))
            .OrderBy(p => p.Name(), StringComparer.Ordinal).ToList();
        var desiredEndpoints = DesiredEndpoints(service, picked, publishNotReady);
        JsonObject? writeEndpoints = null;
        if (endpoints is null || !SameEndpoints(endpoints, desiredEndpoints))
        {
            writeEndpoints = desiredEndpoints;
        }

        var desiredSlices = DesiredSlices(service, picked, publishNotReady);
        var byName = ours.ToDictionary(s => s.Name(), StringComparer.Ordinal);
        var writeSlices = desiredSlices.Where(d => !byName.TryGetValue(d.Name(), out var current) || !SameSlice(current, d)).ToList();
        var wanted = desiredSlices.Select(d => d.Name()).ToHashSet(StringComparer.Ordinal);
        var delete = ours.Where(s => !wanted.Contains(s.Name())).Select(s => s.Name()).ToList();
        return new EndpointsPlan(writeEndpoints, false, writeSlices, delete);
    }

    /// <summary>True when a pod change alters nothing the endpoints depend on.</summary>
    public static bool SameInputs(JsonObject before, JsonObject after) =>
        PodIp(before) == PodIp(after)
        && PodHelpers.IsReady(before) == PodHelpers.IsReady(after)
        && before.IsDeleting() == after.IsDeleting()
        && PodHelpers.Phase(before) == PodHelpers.Phase(after)
        && PodHelpers.NodeName(before) == PodHelpers.NodeName(after)
        && JsonNode.DeepEquals(before.Metadata()["labels"], after.Metadata()["labels"]);

    public static string? PodIp(JsonObject pod) => pod["status"].AsObjectOrNull().GetString("podIP") is { Length: > 0 } ip ? ip : null;

    /// <summary>The pod's port for one Service port: a number as is, a name looked up among the containers' ports of that protocol.</summary>
    public static long? TargetPort(JsonObject servicePort, JsonObject pod)
    {
        var target = servicePort["targetPort"] ?? servicePort["port"];
        if (target is JsonValue v && v.TryGetValue<string>(out var name))
        {
            if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
            var protocol = servicePort.GetString("protocol") ?? "TCP";
            foreach (var container in (pod["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>() ?? [])
                foreach (var port in (container["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
                    if (port.GetString("name") == name && (port.GetString("protocol") ?? "TCP") == protocol)
                        return port["containerPort"].GetLong();
            return null;
        }
        return target.GetLong();
    }

    /// <summary>The label the controller puts on the Endpoints it writes (Kubernetes' own), so user-written ones are never deleted.</summary>
    public const string EndpointsManagedByLabel = "endpoints.kubernetes.io/managed-by";

    public const string EndpointsControllerName = "endpoint-controller";

    private static bool IsOurs(JsonObject endpoints) => endpoints.Labels().GetValueOrDefault(EndpointsManagedByLabel) == EndpointsControllerName;

    private static bool IsTerminating(JsonObject pod) => pod.IsDeleting();

    /// <summary>The ports a pod serves for the Service, in the Service's order (ports it lacks are left out).</summary>
    private static List<JsonObject> PortsOf(JsonObject service, JsonObject pod)
    {
        var result = new List<JsonObject>();
        foreach (var sp in (service["spec"]?["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (TargetPort(sp, pod) is not { } port) continue;
            var p = new JsonObject();
            if (sp.GetString("name") is { Length: > 0 } name) p["name"] = name;
            p["port"] = port;
            p["protocol"] = sp.GetString("protocol") ?? "TCP";
            result.Add(p);
        }
        return result;
    }

    private static bool HasPorts(JsonObject service) => (service["spec"]?["ports"] as JsonArray)?.Count > 0;

    private static JsonObject DesiredEndpoints(JsonObject service, List<JsonObject> pods, bool publishNotReady)
    {
        // Subsets group the addresses that share one set of ports, as Kubernetes' RepackSubsets does.
        var groups = new SortedDictionary<string, (JsonArray Ports, JsonArray Ready, JsonArray NotReady)>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (IsTerminating(pod) && !publishNotReady) continue;
            var ports = PortsOf(service, pod);
            if (ports.Count == 0 && HasPorts(service)) continue;
            var portsKey = string.Join(";", ports.Select(p => p.ToJsonString()));
            if (!groups.TryGetValue(portsKey, out var group))
                groups[portsKey] = group = (new JsonArray(ports.Select(p => (JsonNode)p).ToArray()), new JsonArray(), new JsonArray());
            var address = Address(pod);
            if (HostnameFor(service, pod) is { } hostname) address["hostname"] = hostname;
            if (publishNotReady || PodHelpers.IsReady(pod)) group.Ready.Add(address);
            else group.NotReady.Add(address);
        }
        var subsets = new JsonArray();
        foreach (var (_, group) in groups)
        {
            var subset = new JsonObject();
            if (group.Ready.Count > 0) subset["addresses"] = group.Ready;
            if (group.NotReady.Count > 0) subset["notReadyAddresses"] = group.NotReady;
            if (group.Ports.Count > 0) subset["ports"] = group.Ports;
            subsets.Add(subset);
        }
        var labels = new JsonObject();
        if (service.Metadata()["labels"] is JsonObject serviceLabels)
            foreach (var (k, v) in serviceLabels) labels[k] = v?.DeepClone();
        labels[EndpointsManagedByLabel] = EndpointsControllerName;
        var metadata = new JsonObject { ["name"] = service.Name(), ["namespace"] = service.Namespace(), ["labels"] = labels };
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Endpoints", ["metadata"] = metadata, ["subsets"] = subsets };
    }

    private static JsonObject Address(JsonObject pod)
    {
        var address = new JsonObject { ["ip"] = PodIp(pod) };
        if (PodHelpers.NodeName(pod) is { } node) address["nodeName"] = node;
        address["targetRef"] = TargetRef(pod);
        return address;
    }

    /// <summary>
    /// The pod's <c>spec.hostname</c> when its <c>spec.subdomain</c> names the Service (Kubernetes'
    /// rule): DNS then answers <c>&lt;hostname&gt;.&lt;service&gt;.&lt;namespace&gt;.svc.&lt;domain&gt;</c>.
    /// </summary>
    private static string? HostnameFor(JsonObject service, JsonObject pod) =>
        pod["spec"].AsObjectOrNull() is { } spec && spec.GetString("hostname") is { Length: > 0 } hostname && spec.GetString("subdomain") == service.Name()
            ? hostname
            : null;

    private static JsonObject TargetRef(JsonObject pod) => new()
    {
        ["kind"] = "Pod",
        ["namespace"] = pod.Namespace(),
        ["name"] = pod.Name(),
        ["uid"] = pod.Uid(),
    };

    private static List<JsonObject> DesiredSlices(JsonObject service, List<JsonObject> pods, bool publishNotReady)
    {
        var groups = new SortedDictionary<string, (List<JsonObject> Ports, List<JsonObject> Endpoints)>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (PodIp(pod)!.Contains(':', StringComparison.Ordinal)) continue; // IPv4 slices only
            var ports = PortsOf(service, pod);
            if (ports.Count == 0 && HasPorts(service)) continue;
            var portsKey = string.Join(";", ports.Select(p => p.ToJsonString()));
            if (!groups.TryGetValue(portsKey, out var group)) groups[portsKey] = group = (ports, []);
            var terminating = IsTerminating(pod);
            var serving = PodHelpers.IsReady(pod);
            var endpoint = new JsonObject
            {
                ["addresses"] = new JsonArray(PodIp(pod)),
                ["conditions"] = new JsonObject
                {
                    ["ready"] = publishNotReady || (serving && !terminating),
                    ["serving"] = publishNotReady || serving,
                    ["terminating"] = terminating,
                },
                ["targetRef"] = TargetRef(pod),
            };
            if (PodHelpers.NodeName(pod) is { } node) endpoint["nodeName"] = node;
            if (HostnameFor(service, pod) is { } hostname) endpoint["hostname"] = hostname;
            group.Endpoints.Add(endpoint);
        }
        var slices = new List<JsonObject>();
        foreach (var (_, group) in groups)
        {
            for (var i = 0; i < group.Endpoints.Count; i += MaxEndpointsPerSlice)
                slices.Add(Slice(service, slices.Count, group.Ports, group.Endpoints.Skip(i).Take(MaxEndpointsPerSlice)));
        }
        if (slices.Count == 0) slices.Add(Slice(service, 0, PortsOf(service, new JsonObject()), [])); // an empty slice says "no endpoints"
        return slices;
    }

    private static JsonObject Slice(JsonObject service, int index, List<JsonObject> ports, IEnumerable<JsonObject> endpoints)
    {
        var labels = new JsonObject();
        if (service.Metadata()["labels"] is JsonObject serviceLabels)
            foreach (var (k, v) in serviceLabels) labels[k] = v?.DeepClone();
        labels[EndpointSliceKind.ServiceNameLabel] = service.Name();
        labels[EndpointSliceKind.ManagedByLabel] = ControllerName;
        return new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["name"] = SliceName(service.Name(), index),
                ["namespace"] = service.Namespace(),
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(service)),
            },
            ["addressType"] = "IPv4",
            ["endpoints"] = new JsonArray(endpoints.Select(e => (JsonNode)e).ToArray()),
            ["ports"] = new JsonArray(ports.Select(p => p.DeepClone()).ToArray()),
        };
    }

    /// <summary>The name of a Service's n-th slice: the Service's name and a number ("web-0").</summary>
    public static string SliceName(string service, int index) => $"{service}-{index.ToString(CultureInfo.InvariantCulture)}";

    private static bool SameEndpoints(JsonObject current, JsonObject desired) =>
        JsonNode.DeepEquals(current["subsets"] ?? new JsonArray(), desired["subsets"])
        && JsonNode.DeepEquals(current.Metadata()["labels"] ?? new JsonObject(), desired.Metadata()["labels"] ?? new JsonObject());

    private static bool SameSlice(JsonObject current, JsonObject desired) =>
        JsonNode.DeepEquals(current["endpoints"] ?? new JsonArray(), desired["endpoints"])
        && JsonNode.DeepEquals(current["ports"] ?? new JsonArray(), desired["ports"])
        && JsonNode.DeepEquals(current.Metadata()["labels"], desired.Metadata()["labels"])
        && current.GetString("addressType") == desired.GetString("addressType");
}
