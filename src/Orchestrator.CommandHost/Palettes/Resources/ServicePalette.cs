using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Domain.Endpoints;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;
using Orchestrator.Domain.Services;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary><c>svc</c>: list and describe (node ports, ready endpoints), endpoints (each endpoint of the Service's EndpointSlices with its conditions).</summary>
public sealed class ServicePalette : ResourcePalette
{
    public ServicePalette(ResourceStore store, TimeProvider time) : base("svc", "Services: list, describe, endpoints.", store, time)
    {
        AddListCommand(ServiceKind.Instance, "Lists services with their ports and node ports (-w: then every change).");
        AddDescribeCommand(ServiceKind.Instance, "Shows a service: type, IPs, ports and node ports, selector, ready endpoints.");
        AddResourceCommand(new CommandDefinition("endpoints", "Lists every endpoint of a service's EndpointSlices: address, ports, ready, serving, terminating, node, pod.",
            [ResourceSwitches.Name("service"), ResourceSwitches.Namespace]), EndpointsAsync);
    }

    private async Task<int> EndpointsAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var ns = NamespaceOf(request);
        var name = NameOf(request);
        await Store.Get(ServiceKind.Instance, ns, name, cancellationToken); // 404 for a service that does not exist
        var slices = await Store.List(new ObjectFilter(EndpointSliceKind.Instance.Kind, ns, LabelSelector.Parse($"{EndpointSliceKind.ServiceNameLabel}={name}"), FieldSelector.Everything), cancellationToken);
        var rows = EndpointRows(slices.Items);
        if (rows.Count == 0)
        {
            await output.WriteLineAsync($"No endpoints for service {ns}/{name}.", cancellationToken);
            return ExitCodes.Success;
        }
        await output.WriteTableAsync(new TableOutput(null, ["ADDRESS", "PORTS", "READY", "SERVING", "TERMINATING", "NODE", "POD"], rows), cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>One row per endpoint address of <paramref name="slices"/>, in slice order; a condition the slice leaves out is shown as Kubernetes reads it (ready and serving: true, terminating: false).</summary>
    internal static List<IReadOnlyList<string>> EndpointRows(IEnumerable<JsonObject> slices)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var slice in slices.OrderBy(s => s.Name(), StringComparer.Ordinal))
        {
            var ports = string.Join(",", (slice["ports"] as JsonArray)?.OfType<JsonObject>()
                .Select(p => $"{(p.GetString("name") is { Length: > 0 } n ? n + ":" : "")}{p["port"]?.ToJsonString()}/{p.GetString("protocol") ?? "TCP"}") ?? []);
            foreach (var endpoint in (slice["endpoints"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var conditions = endpoint["conditions"] as JsonObject;
                string Condition(string key, bool absent) => (conditions?[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : absent) ? "true" : "false";
                var target = endpoint["targetRef"] as JsonObject;
                foreach (var address in (endpoint["addresses"] as JsonArray)?.Select(a => a?.ToString() ?? "") ?? [])
                {
                    rows.Add([address, ports.Length == 0 ? "<none>" : ports, Condition("ready", true), Condition("serving", true), Condition("terminating", false),
                        endpoint.GetString("nodeName") ?? "<none>", target.GetString("name") ?? "<none>"]);
                }
            }
        }
        return rows;
    }

    protected override async Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken)
    {
        var spec = obj["spec"] as JsonObject;
        text.Map("Selector", ObjectMeta.StringMap(spec?["selector"]));
        text.Field("Type", spec.GetString("type") ?? "ClusterIP");
        text.Field("IP", spec.GetString("clusterIP") ?? "<none>");
        text.Field("Session Affinity", spec.GetString("sessionAffinity") ?? "None");
        text.Section("Ports");
        foreach (var port in (spec?["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var nodePort = port["nodePort"] is { } np ? $" (node port {np.ToJsonString()})" : "";
            text.Field(port.GetString("name") ?? "<unset>",
                $"{port["port"]?.ToJsonString()}/{port.GetString("protocol") ?? "TCP"} -> {port["targetPort"]?.ToString() ?? port["port"]?.ToJsonString()}{nodePort}", 1);
        }
        text.Field("Endpoints", await EndpointsOf(obj, cancellationToken));
    }

    /// <summary>The Service's ready endpoints as kubectl prints them, or &lt;none&gt;.</summary>
    private async Task<string> EndpointsOf(JsonObject service, CancellationToken cancellationToken)
    {
        try
        {
            return EndpointsKind.Summary(await Store.Get(EndpointsKind.Instance, service.Namespace(), service.Name(), cancellationToken));
        }
        catch (ApiErrorException e) when (e.Error.Code == 404)
        {
            return "<none>";
        }
    }
}
