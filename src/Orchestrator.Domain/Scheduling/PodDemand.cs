using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Scheduling;

/// <summary>A node taint: pods that do not tolerate it are kept off (NoSchedule) or evicted (NoExecute).</summary>
public sealed record Taint(string Key, string? Value, string Effect)
{
    public const string NoSchedule = "NoSchedule";
    public const string PreferNoSchedule = "PreferNoSchedule";
    public const string NoExecute = "NoExecute";

    public override string ToString() => $"{{{Key}: {Value}}}";
}

/// <summary>A pod toleration (operator Equal or Exists; empty effect matches every effect).</summary>
public sealed record Toleration(string? Key, string Operator, string? Value, string? Effect, long? TolerationSeconds = null)
{
    public bool Tolerates(Taint taint)
    {
        if (!string.IsNullOrEmpty(Effect) && Effect != taint.Effect) return false;
        if (string.IsNullOrEmpty(Key)) return Operator == "Exists";
        if (Key != taint.Key) return false;
        return Operator == "Exists" || (Value ?? "") == (taint.Value ?? "");
    }
}

/// <summary>A host port a container asks for; 0.0.0.0 (or empty) conflicts with every address.</summary>
public sealed record HostPort(string Protocol, string HostIp, int Port)
{
    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol
        && (IsWildcard(HostIp) || IsWildcard(other.HostIp) || HostIp == other.HostIp);

    private static bool IsWildcard(string ip) => ip.Length == 0 || ip == "0.0.0.0" || ip == "::";
}

/// <summary>One requirement of a node selector term (<c>In</c>, <c>NotIn</c>, <c>Exists</c>, <c>DoesNotExist</c>, <c>Gt</c>, <c>Lt</c>).</summary>
public sealed record NodeSelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values)
{
    public bool Matches(string? value) => Operator switch
    {
        "In" => value is not null && Values.Contains(value),
        "NotIn" => value is null || !Values.Contains(value),
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" => value is not null && long.TryParse(value, out var v) && Values.Count == 1 && long.TryParse(Values[0], out var g) && v > g,
        "Lt" => value is not null && long.TryParse(value, out var w) && Values.Count == 1 && long.TryParse(Values[0], out var l) && w < l,
        _ => false,
    };
}

/// <summary>A node selector term: all label expressions and all field expressions (only <c>metadata.name</c>) must match.</summary>
public sealed record NodeSelectorTerm(IReadOnlyList<NodeSelectorRequirement> MatchExpressions, IReadOnlyList<NodeSelectorRequirement> MatchFields)
{
    public bool Matches(NodeState node)
    {
        if (MatchExpressions.Count == 0 && MatchFields.Count == 0) return false; // an empty term matches nothing
        foreach (var r in MatchExpressions)
            if (!r.Matches(node.Labels.GetValueOrDefault(r.Key))) return false;
        foreach (var r in MatchFields)
            if (!r.Matches(r.Key == "metadata.name" ? node.Name : null)) return false;
        return true;
    }
}

/// <summary>
/// What the scheduler needs to know about a pod, read once from its JSON: resource requests
/// (the sum over containers, at least the largest init container), placement constraints and owner.
/// </summary>
public sealed record PodDemand(
    string Namespace,
    string Name,
    long MilliCpu,
    long MemoryBytes,
    IReadOnlyDictionary<string, string> NodeSelector,
    IReadOnlyList<NodeSelectorTerm>? RequiredNodeAffinity,
    IReadOnlyList<Toleration> Tolerations,
    IReadOnlyList<HostPort> HostPorts,
    string? OwnerUid)
{
    public string Key => $"{Namespace}/{Name}";

    public static PodDemand Simple(string ns, string name, long milliCpu = 0, long memoryBytes = 0, string? ownerUid = null) =>
        new(ns, name, milliCpu, memoryBytes, new Dictionary<string, string>(), null, [], [], ownerUid);

    public static PodDemand FromPod(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var spec = pod["spec"] as JsonObject;
        long cpu = 0, memory = 0;
        var ports = new List<HostPort>();
        foreach (var c in Containers(spec, "containers"))
        {
            var (cc, cm) = Requests(c);
            cpu += cc;
            memory += cm;
            if (c["ports"] is JsonArray ps)
            {
                foreach (var p in ps.OfType<JsonObject>())
                {
                    if (p["hostPort"].GetLong() is { } hp and > 0)
                        ports.Add(new HostPort(p.GetString("protocol") ?? "TCP", p.GetString("hostIP") ?? "", (int)hp));
                }
            }
        }
        foreach (var c in Containers(spec, "initContainers"))
        {
            var (ic, im) = Requests(c);
            cpu = Math.Max(cpu, ic);
            memory = Math.Max(memory, im);
        }
        var tolerations = (spec?["tolerations"] as JsonArray)?.OfType<JsonObject>()
            .Select(t => new Toleration(t.GetString("key"), t.GetString("operator") ?? "Equal", t.GetString("value"), t.GetString("effect"), t["tolerationSeconds"].GetLong()))
            .ToList() ?? [];
        var affinity = spec?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray;
        var terms = affinity?.OfType<JsonObject>().Select(t => new NodeSelectorTerm(Requirements(t["matchExpressions"]), Requirements(t["matchFields"]))).ToList();
        return new PodDemand(pod.Namespace(), pod.Name(), cpu, memory, ObjectMeta.StringMap(spec?["nodeSelector"]), terms, tolerations, ports, ControllerUid(pod));
    }

    /// <summary>The uid of the controller owner reference, if any.</summary>
    public static string? ControllerUid(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return (obj.Metadata()["ownerReferences"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(r => r["controller"] is JsonValue v && v.TryGetValue<bool>(out var b) && b)
            .GetString("uid");
    }

    private static IEnumerable<JsonObject> Containers(JsonObject? spec, string list) =>
        (spec?[list] as JsonArray)?.OfType<JsonObject>() ?? [];

    private static (long Cpu, long Memory) Requests(JsonObject container)
    {
        var requests = container["resources"]?["requests"] as JsonObject;
        var limits = container["resources"]?["limits"] as JsonObject;
        // As in Kubernetes: a limit without a request defaults the request to the limit.
        var cpu = QuantityText(requests?["cpu"]) ?? QuantityText(limits?["cpu"]);
        var memory = QuantityText(requests?["memory"]) ?? QuantityText(limits?["memory"]);
        return (Quantities.TryParse(cpu, out var c) ? (long)Math.Ceiling(c * 1000m) : 0,
                Quantities.TryParse(memory, out var m) ? (long)Math.Ceiling(m) : 0);
    }

    /// <summary>A quantity as text, whether it was written as a JSON string ("500m") or number (2).</summary>
    public static string? QuantityText(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    private static IReadOnlyList<NodeSelectorRequirement> Requirements(JsonNode? node) =>
        (node as JsonArray)?.OfType<JsonObject>()
            .Select(r => new NodeSelectorRequirement(r.GetString("key") ?? "", r.GetString("operator") ?? "",
                (r["values"] as JsonArray)?.Select(v => v?.GetValue<string>() ?? "").ToList() ?? []))
            .ToList() ?? [];
}
