using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Endpoints;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.EndpointSlices;

/// <summary>
/// EndpointSlice (discovery.k8s.io/v1): a slice of a Service's endpoints with their conditions
/// (ready, serving, terminating), which the service proxy follows. Labelled
/// <c>kubernetes.io/service-name</c> with the Service they belong to.
/// </summary>
public sealed class EndpointSliceKind : ResourceKind<V1EndpointSlice>
{
    public static readonly EndpointSliceKind Instance = new();

    /// <summary>The label naming a slice's Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The label naming the controller that manages a slice.</summary>
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";

    public override string Kind => "EndpointSlice";
    public override string Group => "discovery.k8s.io";
    public override string Plural => "endpointslices";
    public override bool Namespaced => true;
    public override bool HasStatusSubresource => false;
    public override IEnumerable<string> SpecFields => [];

    private static readonly string[] AddressTypes = ["FQDN", "IPv4", "IPv6"];

    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var port in (obj["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            port["protocol"] ??= "TCP";
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var addressType = obj.GetString("addressType");
        if (string.IsNullOrEmpty(addressType)) yield return FieldError.Required("addressType");
        else if (!AddressTypes.Contains(addressType)) yield return FieldError.NotSupported("addressType", addressType, AddressTypes);
        var endpoints = (obj["endpoints"] as JsonArray)?.ToList() ?? [];
        if (endpoints.Count > 1000) yield return FieldError.TooLong("endpoints", 1000);
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (endpoints[i] is not JsonObject endpoint) continue;
            var addresses = (endpoint["addresses"] as JsonArray)?.ToList() ?? [];
            if (addresses.Count is < 1 or > 100)
            {
                yield return addresses.Count == 0
                    ? FieldError.Required($"endpoints[{i}].addresses", "must contain at least 1 address")
                    : FieldError.Invalid($"endpoints[{i}].addresses", addresses.Count, "must contain at most 100 addresses");
            }
            if (addressType is "IPv4" or "IPv6")
                for (var j = 0; j < addresses.Count; j++)
                    foreach (var e in EndpointAddresses.ValidateIp(addresses[j]?.GetValue<string>(), $"endpoints[{i}].addresses[{j}]")) yield return e;
        }
        var ports = (obj["ports"] as JsonArray)?.ToList() ?? [];
        for (var j = 0; j < ports.Count; j++)
        {
            if (ports[j] is not JsonObject port) continue;
            // A slice's port may be unset (every port) and its name may be empty.
            if (port["port"] is not null)
                foreach (var e in EndpointAddresses.ValidatePort(port, $"ports[{j}]", nameRequired: false)) yield return e;
        }
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("AddressType", "string", "The IP protocol for this slice"),
        new("Ports", "string", "The ports exposed by this slice"),
        new("Endpoints", "string", "The addresses of the endpoints in this slice"),
        AgeColumn,
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now)
    {
        var ports = (obj["ports"] as JsonArray)?.OfType<JsonObject>().Select(p => p["port"].GetLong()?.ToString(CultureInfo.InvariantCulture) ?? "<unset>").ToList() ?? [];
        var addresses = (obj["endpoints"] as JsonArray)?.OfType<JsonObject>()
            .SelectMany(e => (e["addresses"] as JsonArray)?.Select(a => a?.GetValue<string>() ?? "") ?? []).ToList() ?? [];
        return [obj.Name(), obj.GetString("addressType") ?? "", ports.Count == 0 ? "<unset>" : string.Join(",", ports), EndpointAddresses.Abbreviate(addresses), Age(obj, now)];
    }
}
