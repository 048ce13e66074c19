namespace Orchestrator.Domain.Scheduling;

/// <summary>
/// A feasibility stage: says whether a pod may run on a node. A failing stage adds one or more
/// reasons (counted per node in the "0/3 nodes are available: ..." message) and returns false;
/// the scheduler stops at the first failing stage for a node, as Kubernetes does.
/// </summary>
public interface IFilterStage
{
    string Name { get; }

    bool Feasible(PodDemand pod, NodeState node, ICollection<string> reasons);
}

/// <summary>
/// A ranking stage: scores a feasible node from 0 (worst) to 100 (best). The scheduler adds the
/// weighted scores of all stages and picks the highest.
/// </summary>
public interface IScoreStage
{
    string Name { get; }

    int Score(PodDemand pod, NodeState node);
}

/// <summary>A score stage with its weight.</summary>
public sealed record WeightedScore(IScoreStage Stage, int Weight);

/// <summary>The node must report Ready=True.</summary>
public sealed class NodeReadyFilter : IFilterStage
{
    public const string Reason = "node(s) were not ready";
    public string Name => "NodeReady";

    public bool Feasible(PodDemand pod, NodeState node, ICollection<string> reasons)
    {
        if (node.Ready) return true;
        reasons.Add(Reason);
        return false;
    }
}

/// <summary>
/// A cordoned node (<c>spec.unschedulable</c>) takes no new pods, but those that tolerate the
/// <c>node.kubernetes.io/unschedulable:NoSchedule</c> taint (daemon pods), as in Kubernetes.
/// </summary>
public sealed class NodeUnschedulableFilter : IFilterStage
{
    public const string Reason = "node(s) were unschedulable";
    private static readonly Taint Cordon = new("node.kubernetes.io/unschedulable", null, Taint.NoSchedule);
    public string Name => "NodeUnschedulable";

    public bool Feasible(PodDemand pod, NodeState node, ICollection<string> reasons)
    {
        if (!node.Unschedulable) return true;
        for (var i = 0; i < pod.Tolerations.Count; i++)
            if (pod.Tolerations[i].Tolerates(Cordon)) return true;
        reasons.Add(Reason);
        return false;
    }
}

/// <summary><c>spec.nodeSelector</c> and required node affinity (terms ORed, expressions ANDed).</summary>
public sealed class NodeAffinityFilter : IFilterStage
{
    public const string Reason = "node(s) didn't match Pod's node affinity/selector";
    public string Name => "NodeAffinity";

    public bool Feasible(PodDemand pod, NodeState node, ICollection<string> reasons)
    {
        // Runs for every node of every decision: no enumerator or closure when there is nothing to match.
        var ok = true;
        if (pod.NodeSelector.Count > 0)
        {
            foreach (var (key, value) in pod.NodeSelector)
            {
                if (!node.Labels.TryGetValue(key, out var actual) || actual != value) { ok = false; break; }
            }
        }
        if (ok && pod.RequiredNodeAffinity is { } terms)
        {
            ok = false;
            for (var i = 0; i < terms.Count && !ok; i++) ok = terms[i].Matches(node);
        }
        if (!ok) reasons.Add(Reason);
        return ok;
    }
}

/// <summary>Every NoSchedule and NoExecute taint of the node must be tolerated.</summary>
public sealed class TaintTolerationFilter : IFilterStage
{
    public string Name => "TaintToleration";

    public bool Feasible(PodDemand pod, NodeState node, ICollection<string> reasons)
    {
        for (var i = 0; i < node.Taints.Count; i++)
        {
            var taint = node.Taints[i];
            if (taint.Effect is not (Taint.NoSchedule or Taint.NoExecute)) continue;
            if (pod.Tolerations.Any(t => t.Tolerates(taint))) continue;
            reasons.Add($"node(s) had untolerated taint {taint}");
            return false;
        }
        return true;
    }
}

/// <summary>No two pods on a node may claim the same host port (protocol, address).</summary>
public sealed class HostPortsFilter : IFilterStage
{
    public const string Reason = "node(s) didn't have free ports for the requested pod ports";
    public string Name => "NodePorts";

    public bool Feasible(PodDemand pod, NodeState node, ICollection<string> reasons)
    {
        if (pod.HostPorts.Count == 0) return true;
        foreach (var other in node.Pods)
        {
            foreach (var used in other.HostPorts)
            {
                if (pod.HostPorts.Any(p => p.ConflictsWith(used)))
                {
                    reasons.Add(Reason);
                    return false;
                }
            }
        }
        return true;
    }
}

/// <summary>cpu and memory requests must fit into allocatable minus what bound pods request; the pod count is capped too.</summary>
public sealed class ResourcesFitFilter : IFilterStage
{
    public string Name => "NodeResourcesFit";

    public bool Feasible(PodDemand pod, NodeState node, ICollection<string> reasons)
    {
        var ok = true;
        if (node.PodCount + 1 > node.AllocatablePods) { reasons.Add("Too many pods"); ok = false; }
        if (pod.MilliCpu > 0 && node.RequestedMilliCpu + pod.MilliCpu > node.AllocatableMilliCpu) { reasons.Add("Insufficient cpu"); ok = false; }
        if (pod.MemoryBytes > 0 && node.RequestedMemory + pod.MemoryBytes > node.AllocatableMemory) { reasons.Add("Insufficient memory"); ok = false; }
        return ok;
    }
}

/// <summary>Spreading: prefers the node with the most free cpu and memory left after placing the pod.</summary>
public sealed class LeastAllocatedScore : IScoreStage
{
    public string Name => "LeastAllocated";

    public int Score(PodDemand pod, NodeState node) =>
        (Free(node.RequestedMilliCpu + pod.MilliCpu, node.AllocatableMilliCpu) + Free(node.RequestedMemory + pod.MemoryBytes, node.AllocatableMemory)) / 2;

    private static int Free(long requested, long allocatable) =>
        allocatable <= 0 ? 0 : (int)Math.Clamp((allocatable - requested) * 100 / allocatable, 0, 100);
}

/// <summary>Bin-packing: prefers the fullest node that still fits, so whole nodes stay free.</summary>
public sealed class MostAllocatedScore : IScoreStage
{
    public string Name => "MostAllocated";

    public int Score(PodDemand pod, NodeState node) =>
        (Used(node.RequestedMilliCpu + pod.MilliCpu, node.AllocatableMilliCpu) + Used(node.RequestedMemory + pod.MemoryBytes, node.AllocatableMemory)) / 2;

    private static int Used(long requested, long allocatable) =>
        allocatable <= 0 ? 0 : (int)Math.Clamp(requested * 100 / allocatable, 0, 100);
}

/// <summary>Prefers nodes where cpu and memory would be used in equal proportion.</summary>
public sealed class BalancedAllocationScore : IScoreStage
{
    public string Name => "BalancedAllocation";

    public int Score(PodDemand pod, NodeState node)
    {
        if (node.AllocatableMilliCpu <= 0 || node.AllocatableMemory <= 0) return 0;
        var cpu = Math.Min(1.0, (double)(node.RequestedMilliCpu + pod.MilliCpu) / node.AllocatableMilliCpu);
        var memory = Math.Min(1.0, (double)(node.RequestedMemory + pod.MemoryBytes) / node.AllocatableMemory);
        return (int)((1 - Math.Abs(cpu - memory)) * 100);
    }
}

/// <summary>Spreads the pods of one controller (same owner uid) over nodes: fewer siblings, higher score.</summary>
public sealed class OwnerSpreadScore : IScoreStage
{
    public string Name => "SelectorSpread";

    public int Score(PodDemand pod, NodeState node) =>
        pod.OwnerUid is { } owner ? 100 / (1 + node.PodsOfOwner(owner)) : 100;
}
