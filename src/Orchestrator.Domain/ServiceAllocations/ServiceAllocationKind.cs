using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.ServiceAllocations;

/// <summary>
/// ServiceAllocation (internal, not served by the API): one ClusterIP or NodePort held by one
/// Service, named after the value ("cluster-ip.10.96.0.10", "node-port.30080"), in the manner of
/// Kubernetes' IPAddress objects. Being one entity per value makes a value's grant a create of
/// that entity: the sharded entity is its single writer in a cluster, and the journal's unique
/// (persistence id, sequence number) refuses a second first event for it even from a member that
/// is not in the same cluster, so no two Services can ever hold one value.
/// </summary>
public sealed class ServiceAllocationKind : ResourceKind
{
    public static readonly ServiceAllocationKind Instance = new();

    public const string ClusterIp = "cluster-ip";
    public const string NodePort = "node-port";

    public override string Kind => "ServiceAllocation";
    public override string Group => "internal.orchestrator";
    public override string Plural => "serviceallocations";
    public override bool Namespaced => false;
    public override bool Served => false;
    public override bool HasStatusSubresource => false;

    /// <summary>The object's name for a value of a range.</summary>
    public static string NameOf(string range, string value) => $"{range}.{value}";

    public static JsonObject New(string range, string value, string serviceNamespace, string serviceName) => new()
    {
        ["apiVersion"] = "internal.orchestrator/v1",
        ["kind"] = "ServiceAllocation",
        ["metadata"] = new JsonObject { ["name"] = NameOf(range, value) },
        ["spec"] = new JsonObject
        {
            ["range"] = range,
            ["value"] = value,
            ["service"] = new JsonObject { ["namespace"] = serviceNamespace, ["name"] = serviceName },
        },
    };

    public static string Range(JsonObject allocation) => allocation["spec"].AsObjectOrNull().GetString("range") ?? "";

    public static string Value(JsonObject allocation) => allocation["spec"].AsObjectOrNull().GetString("value") ?? "";

    public static (string Namespace, string Name) Service(JsonObject allocation) =>
        (allocation["spec"]?["service"].AsObjectOrNull().GetString("namespace") ?? "", allocation["spec"]?["service"].AsObjectOrNull().GetString("name") ?? "");

    /// <summary>No typed model: the object is kept as written (it is only ever written by the allocator).</summary>
    public override JsonObject RoundTrip(JsonObject obj) => (JsonObject)obj.DeepClone();

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var range = Range(obj);
        if (range is not (ClusterIp or NodePort)) yield return FieldError.NotSupported("spec.range", range, [ClusterIp, NodePort]);
        if (Value(obj).Length == 0) yield return FieldError.Required("spec.value");
        if (Service(obj).Name.Length == 0) yield return FieldError.Required("spec.service.name");
    }

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated)
    {
        if (!JsonNode.DeepEquals(current["spec"], updated["spec"])) yield return FieldError.Invalid("spec", null, "field is immutable");
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Service", "string", "The Service holding the value."),
        AgeColumn,
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now)
    {
        var (ns, name) = Service(obj);
        return [obj.Name(), $"{ns}/{name}", Age(obj, now)];
    }
}
