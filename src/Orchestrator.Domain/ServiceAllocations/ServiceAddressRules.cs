using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.ServiceAllocations;

/// <summary>One value a new Service needs: from <see cref="Range"/>, the one it asked for (or any), written to <see cref="Field"/>.</summary>
/// <param name="PortIndex">For a NodePort, the index of the Service port it belongs to.</param>
public sealed record AddressClaim(string Range, string? Requested, string Field, int? PortIndex = null);

/// <summary>
/// The pure rules of ClusterIP and NodePort allocation: which values a Service needs, whether a
/// requested one is in range, how a free one is picked, where the granted values go, and when an
/// allocation has lost its Service (the repair loop's rule).
/// </summary>
public static class ServiceAddressRules
{
    /// <summary>The values a Service about to be created needs, or the field errors of the ones it asked for.</summary>
    public static (IReadOnlyList<AddressClaim> Claims, IReadOnlyList<FieldError> Errors) Needs(JsonObject service, ServiceRanges ranges)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(ranges);
        var claims = new List<AddressClaim>();
        var errors = new List<FieldError>();
        var spec = service["spec"] as JsonObject;
        if (spec is null) return (claims, errors);
        var type = spec.GetString("type") ?? "ClusterIP";
        if (type == "ExternalName") return (claims, errors);
        var requestedIp = spec.GetString("clusterIP");
        if (requestedIp != "None")
        {
            if (string.IsNullOrEmpty(requestedIp)) claims.Add(new AddressClaim(ServiceAllocationKind.ClusterIp, null, "spec.clusterIP"));
            else if (!ranges.ClusterIps.Contains(requestedIp))
                errors.Add(FieldError.Invalid("spec.clusterIP", requestedIp, $"provided IP is not in the valid range. The range of valid IPs is {ranges.ClusterIps}"));
            else claims.Add(new AddressClaim(ServiceAllocationKind.ClusterIp, requestedIp, "spec.clusterIP"));
        }
        if (type is "NodePort" or "LoadBalancer" && spec["ports"] is JsonArray ports)
        {
            var requestedPorts = new HashSet<long>();
            for (var i = 0; i < ports.Count; i++)
            {
                var field = $"spec.ports[{i.ToString(CultureInfo.InvariantCulture)}].nodePort";
                var requested = ports[i]?["nodePort"].GetLong() ?? 0;
                if (requested == 0) claims.Add(new AddressClaim(ServiceAllocationKind.NodePort, null, field, i));
                else if (!ranges.NodePorts.Contains(requested))
                    errors.Add(FieldError.Invalid(field, requested, $"provided port is not in the valid range. The range of valid ports is {ranges.NodePorts}"));
                else if (requestedPorts.Add(requested)) // the same port for TCP and UDP is one allocation
                    claims.Add(new AddressClaim(ServiceAllocationKind.NodePort, requested.ToString(CultureInfo.InvariantCulture), field, i));
            }
        }
        return (claims, errors);
    }

    /// <summary>A free value of the range not in <paramref name="taken"/>, searching from a random start (null: the range is full).</summary>
    public static string? PickFree(string range, ServiceRanges ranges, IReadOnlySet<string> taken, Random random)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(taken);
        ArgumentNullException.ThrowIfNull(random);
        var size = range == ServiceAllocationKind.ClusterIp ? ranges.ClusterIps.Size : ranges.NodePorts.Size;
        var start = random.NextInt64(size);
        for (long i = 0; i < size; i++)
        {
            var offset = (start + i) % size;
            var value = range == ServiceAllocationKind.ClusterIp
                ? ranges.ClusterIps.At(offset)
                : (ranges.NodePorts.Min + offset).ToString(CultureInfo.InvariantCulture);
            if (!taken.Contains(value)) return value;
        }
        return null;
    }

    /// <summary>Writes the granted values into the Service (clusterIP and clusterIPs, each port's nodePort).</summary>
    public static void Assign(JsonObject service, IEnumerable<(AddressClaim Claim, string Value)> granted)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(granted);
        if (service["spec"] is not JsonObject spec) return;
        foreach (var (claim, value) in granted)
        {
            if (claim.Range == ServiceAllocationKind.ClusterIp)
            {
                spec["clusterIP"] = value;
                spec["clusterIPs"] = new JsonArray(value);
            }
            else if (claim.PortIndex is { } i && spec["ports"]?[i] is JsonObject port)
            {
                port["nodePort"] = long.Parse(value, CultureInfo.InvariantCulture);
            }
        }
        if (spec.GetString("clusterIP") == "None") spec["clusterIPs"] = new JsonArray("None");
    }

    /// <summary>The allocation names a Service holds (its clusterIP and nodePorts).</summary>
    public static IReadOnlyList<string> Held(JsonObject service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var names = new List<string>();
        var spec = service["spec"] as JsonObject;
        if (spec.GetString("clusterIP") is { Length: > 0 } ip && ip != "None") names.Add(ServiceAllocationKind.NameOf(ServiceAllocationKind.ClusterIp, ip));
        foreach (var port in (spec?["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            if (port["nodePort"].GetLong() is { } n && n != 0)
                names.Add(ServiceAllocationKind.NameOf(ServiceAllocationKind.NodePort, n.ToString(CultureInfo.InvariantCulture)));
        return names.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// True when an allocation no longer belongs to anything: its Service is gone or does not hold
    /// the value, and it is older than <paramref name="grace"/> (a Service being created holds its
    /// values a moment before it exists).
    /// </summary>
    public static bool IsLeaked(JsonObject allocation, JsonObject? service, DateTimeOffset now, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        if (allocation.Timestamp("creationTimestamp") is { } created && now - created < grace) return false;
        return service is null || !Held(service).Contains(allocation.Name(), StringComparer.Ordinal);
    }
}
