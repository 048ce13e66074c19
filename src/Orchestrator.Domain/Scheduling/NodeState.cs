using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Scheduling;

/// <summary>
/// A node as the scheduler sees it: what it offers (labels, taints, allocatable) and what the
/// pods bound or assumed on it already take. Mutable on purpose: the scheduler's cache updates it
/// in place as pods are bound and removed, so a decision costs no copying.
/// </summary>
public sealed class NodeState
{
    private readonly Dictionary<string, PodDemand> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _owners = new(StringComparer.Ordinal);

    public NodeState(string name, long allocatableMilliCpu, long allocatableMemory, int allocatablePods = 110,
        IReadOnlyDictionary<string, string>? labels = null, IReadOnlyList<Taint>? taints = null, bool ready = true, bool unschedulable = false)
    {
        Name = name;
        AllocatableMilliCpu = allocatableMilliCpu;
        AllocatableMemory = allocatableMemory;
        AllocatablePods = allocatablePods;
        Labels = labels ?? new Dictionary<string, string>();
        Taints = taints ?? [];
        Ready = ready;
        Unschedulable = unschedulable;
    }

    public string Name { get; }
    public long AllocatableMilliCpu { get; private set; }
    public long AllocatableMemory { get; private set; }
    public int AllocatablePods { get; private set; }
    public IReadOnlyDictionary<string, string> Labels { get; private set; }
    public IReadOnlyList<Taint> Taints { get; private set; }
    public bool Ready { get; private set; }
    public bool Unschedulable { get; private set; }

    public long RequestedMilliCpu { get; private set; }
    public long RequestedMemory { get; private set; }
    public int PodCount => _pods.Count;
    public IEnumerable<PodDemand> Pods => _pods.Values;

    /// <summary>How many pods of the controller with this uid run here.</summary>
    public int PodsOfOwner(string ownerUid) => _owners.GetValueOrDefault(ownerUid);

    public bool HasPod(string podKey) => _pods.ContainsKey(podKey);

    public void AddPod(PodDemand pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (_pods.ContainsKey(pod.Key)) RemovePod(pod.Key);
        _pods[pod.Key] = pod;
        RequestedMilliCpu += pod.MilliCpu;
        RequestedMemory += pod.MemoryBytes;
        if (pod.OwnerUid is { } owner) _owners[owner] = _owners.GetValueOrDefault(owner) + 1;
    }

    public bool RemovePod(string podKey)
    {
        if (!_pods.Remove(podKey, out var pod)) return false;
        RequestedMilliCpu -= pod.MilliCpu;
        RequestedMemory -= pod.MemoryBytes;
        if (pod.OwnerUid is { } owner && --_owners[owner] == 0) _owners.Remove(owner);
        return true;
    }

    /// <summary>Takes the node's latest labels, taints, capacity and condition; keeps its pods.</summary>
    public void Update(NodeState from)
    {
        ArgumentNullException.ThrowIfNull(from);
        AllocatableMilliCpu = from.AllocatableMilliCpu;
        AllocatableMemory = from.AllocatableMemory;
        AllocatablePods = from.AllocatablePods;
        Labels = from.Labels;
        Taints = from.Taints;
        Ready = from.Ready;
        Unschedulable = from.Unschedulable;
    }

    /// <summary>
    /// True when this node offers what <paramref name="other"/> does: readiness, cordon,
    /// allocatable, taints and labels. Anything else (a heartbeat, addresses) cannot make room for a
    /// pod, so the scheduler retries its unschedulable pods only when this is false.
    /// </summary>
    public bool OffersSameAs(NodeState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Ready == other.Ready && Unschedulable == other.Unschedulable
            && AllocatableMilliCpu == other.AllocatableMilliCpu && AllocatableMemory == other.AllocatableMemory
            && AllocatablePods == other.AllocatablePods && Taints.SequenceEqual(other.Taints)
            && Labels.OrderBy(l => l.Key, StringComparer.Ordinal).SequenceEqual(other.Labels.OrderBy(l => l.Key, StringComparer.Ordinal));
    }

    /// <summary>Reads a Node object: allocatable (else capacity), labels, taints, Ready condition, spec.unschedulable.</summary>
    public static NodeState FromNode(JsonObject node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var status = node["status"] as JsonObject;
        var resources = status?["allocatable"] as JsonObject ?? status?["capacity"] as JsonObject;
        var cpu = Quantities.TryParse(PodDemand.QuantityText(resources?["cpu"]), out var c) ? (long)Math.Floor(c * 1000m) : 0;
        var memory = Quantities.TryParse(PodDemand.QuantityText(resources?["memory"]), out var m) ? (long)Math.Floor(m) : 0;
        var pods = Quantities.TryParse(PodDemand.QuantityText(resources?["pods"]), out var p) ? (int)p : 110;
        var taints = (node["spec"]?["taints"] as JsonArray)?.OfType<JsonObject>()
            .Select(t => new Taint(t.GetString("key") ?? "", t.GetString("value"), t.GetString("effect") ?? Taint.NoSchedule))
            .ToList() ?? [];
        var unschedulable = node["spec"]?["unschedulable"] is JsonValue u && u.TryGetValue<bool>(out var b) && b;
        return new NodeState(node.Name(), cpu, memory, pods, node.Labels(), taints, IsReady(node), unschedulable);
    }

    /// <summary>True when the node's Ready condition is True.</summary>
    public static bool IsReady(JsonObject node) => ReadyCondition(node).GetString("status") == "True";

    public static JsonObject? ReadyCondition(JsonObject node) =>
        (node?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == "Ready");
}
