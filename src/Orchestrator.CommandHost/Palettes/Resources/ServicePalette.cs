using System.Text.Json.Nodes;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Endpoints;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Services;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary><c>svc</c>: list, describe.</summary>
public sealed class ServicePalette : ResourcePalette
{
    public ServicePalette(ResourceStore store, TimeProvider time) : base("svc", "Services: list, describe.", store, time)
    {
        AddListCommand(ServiceKind.Instance, "Lists services (-w: then every change).");
        AddDescribeCommand(ServiceKind.Instance, "Shows a service: type, IPs, ports and node ports, selector, endpoints.");
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
