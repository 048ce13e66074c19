using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Services;

/// <summary>Service (core/v1): a stable name and port in front of the ready pods its selector picks.</summary>
public sealed class ServiceKind : ResourceKind<V1Service>
{
    public static readonly ServiceKind Instance = new();

    public override string Kind => "Service";
    public override string Plural => "services";
    public override bool Namespaced => true;
    public override IReadOnlyList<string> ShortNames => ["svc"];

    private static readonly string[] Types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec) return;
        spec["type"] ??= "ClusterIP";
        spec["sessionAffinity"] ??= "None";
        if (spec["ports"] is JsonArray ports)
        {
            foreach (var p in ports.OfType<JsonObject>())
            {
                p["protocol"] ??= "TCP";
                p["targetPort"] ??= p["port"]?.DeepClone();
            }
        }
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec)
        {
            yield return FieldError.Required("spec");
            yield break;
        }
        var type = spec.GetString("type") ?? "ClusterIP";
        if (!Types.Contains(type))
        {
            yield return FieldError.NotSupported("spec.type", type, ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]);
        }
        if (type == "ExternalName")
        {
            if (string.IsNullOrEmpty(spec.GetString("externalName")))
                yield return FieldError.Required("spec.externalName");
            yield break;
        }
        var headless = spec.GetString("clusterIP") == "None";
        if (spec["ports"] is not JsonArray ports || ports.Count == 0)
        {
            if (!headless) yield return FieldError.Required("spec.ports");
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            var seen = new HashSet<(long, string)>();
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i] is not JsonObject p) continue;
                var path = $"spec.ports[{i}]";
                var name = p.GetString("name");
                if (ports.Count > 1 && string.IsNullOrEmpty(name))
                    yield return FieldError.Required($"{path}.name");
                else if (!string.IsNullOrEmpty(name))
                {
                    foreach (var e in NameValidation.IsDns1123Label(name, $"{path}.name")) yield return e;
                    if (!names.Add(name)) yield return FieldError.Duplicate($"{path}.name", name);
                }
                var port = p["port"].GetLong() ?? 0;
                if (port is < 1 or > 65535)
                    yield return new FieldError($"{path}.port", port == 0 ? FieldErrorType.Required : FieldErrorType.Invalid,
                        port == 0 ? "" : $"{port}: must be between 1 and 65535, inclusive");
                var protocol = p.GetString("protocol") ?? "TCP";
                if (protocol is not ("TCP" or "UDP" or "SCTP"))
                    yield return FieldError.NotSupported($"{path}.protocol", protocol, ["SCTP", "TCP", "UDP"]);
                else if (!seen.Add((port, protocol)))
                    yield return new FieldError(path, FieldErrorType.Duplicate, $"{{\"port\":{port},\"protocol\":\"{protocol}\"}}");
                if (p["nodePort"].GetLong() is { } nodePort && nodePort != 0 && type == "ClusterIP")
                    yield return FieldError.Forbidden($"{path}.nodePort", "may not be used when `type` is 'ClusterIP'");
            }
        }
        if (spec["selector"] is JsonObject selector)
        {
            foreach (var e in NameValidation.ValidateLabels(selector, "spec.selector")) yield return e;
        }
    }

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated)
    {
        var before = current["spec"]?["clusterIP"]?.ToJsonString();
        var after = updated["spec"]?["clusterIP"]?.ToJsonString();
        if (before is not null && after is not null && before != after)
            yield return FieldError.Invalid("spec.clusterIP", after, "field is immutable");
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Type", "string", "The type of service."),
        new("Cluster-IP", "string", "The cluster IP address of the service."),
        new("External-IP", "string", "The external IP addresses of the service."),
        new("Port(s)", "string", "The ports of the service."),
        AgeColumn,
        new("Selector", "string", "The label selector of the service.", 1),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now)
    {
        var spec = obj["spec"] as JsonObject;
        var ports = (spec?["ports"] as JsonArray)?.OfType<JsonObject>().Select(p =>
        {
            var port = p["port"]?.ToJsonString() ?? "";
            var nodePort = p["nodePort"].GetLong() is { } n && n != 0 ? ":" + n.ToString(CultureInfo.InvariantCulture) : "";
            return $"{port}{nodePort}/{p.GetString("protocol") ?? "TCP"}";
        }) ?? [];
        var portText = string.Join(",", ports);
        var selector = string.Join(",", ObjectMeta.StringMap(spec?["selector"]).Select(kv => $"{kv.Key}={kv.Value}"));
        return [obj.Name(), spec.GetString("type") ?? "ClusterIP", spec.GetString("clusterIP") ?? "<none>",
            spec.GetString("externalName") ?? "<none>", portText.Length == 0 ? "<none>" : portText, Age(obj, now), selector.Length == 0 ? "<none>" : selector];
    }
}
