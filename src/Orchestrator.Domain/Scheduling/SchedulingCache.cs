namespace Orchestrator.Domain.Scheduling;

/// <summary>
/// The scheduler's picture of the cluster: every node and the pods bound (or assumed bound) to
/// it. A pod is assumed on its node as soon as it is chosen, before the bind is acknowledged, so the
/// next decision already sees its requests; a failed bind forgets it again.
/// </summary>
public sealed class SchedulingCache
{
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    // The same nodes in a list, so the scheduler can start its search anywhere without copying.
    private readonly List<NodeState> _nodeList = [];
    private readonly Dictionary<string, (string Node, PodDemand Pod)> _pods = new(StringComparer.Ordinal);

    public IReadOnlyList<NodeState> Nodes => _nodeList;

    public int PodCount => _pods.Count;

    public NodeState? Node(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>Adds a node or updates its labels, taints, capacity and condition, keeping its pods.</summary>
    public void UpsertNode(NodeState node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (_nodes.TryGetValue(node.Name, out var existing))
        {
            existing.Update(node);
            return;
        }
        _nodes[node.Name] = node;
        _nodeList.Add(node);
        foreach (var (nodeName, pod) in _pods.Values.Where(p => p.Node == node.Name)) node.AddPod(pod);
    }

    public void RemoveNode(string name)
    {
        if (_nodes.Remove(name, out var node)) _nodeList.Remove(node);
    }

    /// <summary>Records a pod on a node (bound or assumed); moves it if it was recorded elsewhere.</summary>
    public void AddPod(string nodeName, PodDemand pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        RemovePod(pod.Key);
        _pods[pod.Key] = (nodeName, pod);
        _nodes.GetValueOrDefault(nodeName)?.AddPod(pod);
    }

    public bool RemovePod(string podKey)
    {
        if (!_pods.Remove(podKey, out var entry)) return false;
        _nodes.GetValueOrDefault(entry.Node)?.RemovePod(podKey);
        return true;
    }

    public string? NodeOf(string podKey) => _pods.TryGetValue(podKey, out var e) ? e.Node : null;
}
