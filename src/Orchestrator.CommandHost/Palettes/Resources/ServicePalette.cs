using System.Text.Json.Nodes;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Services;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary><c>svc</c>: list, describe.</summary>
public sealed class ServicePalette : ResourcePalette
{
    public ServicePalette(ResourceStore store, TimeProvider time) : base("svc", "Services: list, describe.", store, time)
    {
        AddListCommand(ServiceKind.Instance, "Lists services (-w: then every change).");
        AddDescribeCommand(ServiceKind.Instance, "Shows a service: type, IPs, ports, selector.");
    }

    protected override Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken)
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
        return Task.CompletedTask;
    }
}
