using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Endpoints;

/// <summary>
/// Endpoints (core/v1): the addresses behind a Service, in subsets of addresses and ports. The
/// endpoints controller keeps them for Services with a selector; for a Service without one they
/// are the user's to write.
/// </summary>
public sealed class EndpointsKind : ResourceKind<V1Endpoints>
{
    public static readonly EndpointsKind Instance = new();

    public override string Kind => "Endpoints";
    public override string Plural => "endpoints";
    public override bool Namespaced => true;
    public override bool HasStatusSubresource => false;
    public override IReadOnlyList<string> ShortNames => ["ep"];
    public override IEnumerable<string> SpecFields => [];

    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var subset in (obj["subsets"] as JsonArray)?.OfType<JsonObject>() ?? [])
            foreach (var port in (subset["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
                port["protocol"] ??= "TCP";
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var subsets = (obj["subsets"] as JsonArray)?.ToList() ?? [];
        for (var i = 0; i < subsets.Count; i++)
        {
            if (subsets[i] is not JsonObject subset) continue;
            var path = $"subsets[{i}]";
            var addresses = (subset["addresses"] as JsonArray)?.Count ?? 0;
            var notReady = (subset["notReadyAddresses"] as JsonArray)?.Count ?? 0;
            if (addresses + notReady == 0)
                yield return FieldError.Required($"{path}", "must specify `addresses` or `notReadyAddresses`");
            foreach (var field in new[] { "addresses", "notReadyAddresses" })
            {
                var list = (subset[field] as JsonArray)?.ToList() ?? [];
                for (var j = 0; j < list.Count; j++)
                {
                    var ip = (list[j] as JsonObject).GetString("ip");
                    foreach (var e in EndpointAddresses.ValidateIp(ip, $"{path}.{field}[{j}].ip")) yield return e;
                }
            }
            var ports = (subset["ports"] as JsonArray)?.ToList() ?? [];
            for (var j = 0; j < ports.Count; j++)
                foreach (var e in EndpointAddresses.ValidatePort(ports[j] as JsonObject, $"{path}.ports[{j}]", ports.Count > 1)) yield return e;
        }
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Endpoints", "string", "Endpoints is the list of endpoints in the object."),
        AgeColumn,
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now) => [obj.Name(), Summary(obj), Age(obj, now)];

    /// <summary>The ready addresses with their ports, at most three, as kubectl prints them ("10.0.0.1:80,10.0.0.2:80 + 1 more...").</summary>
    public static string Summary(JsonObject obj)
    {
        var all = new List<string>();
        foreach (var subset in (obj["subsets"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var ports = (subset["ports"] as JsonArray)?.OfType<JsonObject>().Select(p => p["port"].GetLong()).ToList() ?? [];
            foreach (var address in (subset["addresses"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var ip = address.GetString("ip") ?? "";
                if (ports.Count == 0) all.Add(ip);
                else all.AddRange(ports.Select(p => $"{ip}:{p?.ToString(CultureInfo.InvariantCulture)}"));
            }
        }
        return EndpointAddresses.Abbreviate(all);
    }
}

/// <summary>Checks and printing shared by Endpoints and EndpointSlices.</summary>
public static class EndpointAddresses
{
    public static string Abbreviate(IReadOnlyList<string> items, int max = 3)
    {
        if (items.Count == 0) return "<none>";
        var shown = string.Join(",", items.Take(max));
        return items.Count > max ? $"{shown} + {(items.Count - max).ToString(CultureInfo.InvariantCulture)} more..." : shown;
    }

    public static IEnumerable<FieldError> ValidateIp(string? ip, string path)
    {
        if (string.IsNullOrEmpty(ip))
        {
            yield return FieldError.Required(path);
        }
        else if (!IPAddress.TryParse(ip, out var parsed) || parsed.ToString() != ip)
        {
            yield return FieldError.Invalid(path, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
        }
        else if (IPAddress.IsLoopback(parsed) || parsed.Equals(IPAddress.Any) || parsed.Equals(IPAddress.IPv6Any))
        {
            yield return FieldError.Invalid(path, ip, "may not be unspecified or in the loopback range (127.0.0.0/8, ::1/128)");
        }
        else if (parsed.AddressFamily == AddressFamily.InterNetwork && parsed.GetAddressBytes() is [169, 254, ..])
        {
            yield return FieldError.Invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
        }
    }

    public static IEnumerable<FieldError> ValidatePort(JsonObject? port, string path, bool nameRequired)
    {
        if (port is null) yield break;
        var name = port.GetString("name");
        if (nameRequired && string.IsNullOrEmpty(name)) yield return FieldError.Required($"{path}.name");
        else if (!string.IsNullOrEmpty(name))
            foreach (var e in NameValidation.IsDns1123Label(name, $"{path}.name")) yield return e;
        var number = port["port"].GetLong() ?? 0;
        if (number is < 1 or > 65535)
            yield return number == 0 ? FieldError.Required($"{path}.port") : FieldError.Invalid($"{path}.port", number, "must be between 1 and 65535, inclusive");
        var protocol = port.GetString("protocol") ?? "TCP";
        if (protocol is not ("TCP" or "UDP" or "SCTP"))
            yield return FieldError.NotSupported($"{path}.protocol", protocol, ["SCTP", "TCP", "UDP"]);
    }
}
