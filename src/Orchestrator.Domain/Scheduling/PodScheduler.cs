using System.Globalization;

namespace Orchestrator.Domain.Scheduling;

/// <summary>
/// The outcome of scheduling one pod: the chosen node, or how many nodes each reason excluded.
/// </summary>
public sealed record ScheduleResult(string? NodeName, int NodeCount, IReadOnlyDictionary<string, int> FailureCounts)
{
    public bool Scheduled => NodeName is not null;

    /// <summary>
    /// The Kubernetes FailedScheduling message: "0/3 nodes are available: 2 Insufficient memory,
    /// 1 node(s) had untolerated taint {k: v}." — reasons by count, most frequent first.
    /// </summary>
    public string Message
    {
        get
        {
            if (Scheduled) return $"Successfully assigned to {NodeName}";
            if (NodeCount == 0) return "0/0 nodes are available: no nodes available to schedule pods.";
            var reasons = FailureCounts
                .OrderByDescending(r => r.Value)
                .ThenBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}"));
            return string.Create(CultureInfo.InvariantCulture, $"0/{NodeCount} nodes are available: {string.Join(", ", reasons)}.");
        }
    }
}

/// <summary>
/// The pure scheduler: filter stages decide which nodes are feasible, score stages rank them, the
/// highest total wins (ties broken by a hash of pod and node name, so equal nodes share the load
/// without randomness). Stateless: the caller owns the nodes and records the placement.
/// </summary>
/// <remarks>
/// <code>
///   pod ──► filters (per node from a start the pod's hash picks, stop at first failure)
///                 │feasible                                  └─none feasible──► failure counts
///                 ▼
///        weighted scores (until enough nodes were feasible) ──► best node
/// </code>
/// </remarks>
public sealed class PodScheduler(IReadOnlyList<IFilterStage> filters, IReadOnlyList<WeightedScore> scores)
{
    public IReadOnlyList<IFilterStage> Filters { get; } = filters;
    public IReadOnlyList<WeightedScore> Scores { get; } = scores;

    public static IReadOnlyList<IFilterStage> DefaultFilters { get; } =
        [new NodeReadyFilter(), new NodeUnschedulableFilter(), new NodeAffinityFilter(), new TaintTolerationFilter(), new HostPortsFilter(), new ResourcesFitFilter()];

    /// <summary>Spreads load: least-allocated and balanced resources, siblings on different nodes.</summary>
    public static PodScheduler Spread { get; } = new(DefaultFilters,
        [new(new LeastAllocatedScore(), 1), new(new BalancedAllocationScore(), 1), new(new OwnerSpreadScore(), 2)]);

    /// <summary>Packs pods onto the fullest feasible nodes.</summary>
    public static PodScheduler BinPack { get; } = new(DefaultFilters,
        [new(new MostAllocatedScore(), 2), new(new BalancedAllocationScore(), 1)]);

    /// <summary>The scheduler for a strategy name: "spread" (default) or "binpack".</summary>
    public static PodScheduler ForStrategy(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "spread" => Spread,
        "binpack" or "bin-pack" => BinPack,
        _ => throw new ArgumentException($"unknown scheduling strategy '{name}': use spread or binpack", nameof(name)),
    };

    /// <summary>
    /// Kubernetes' percentageOfNodesToScore: once this share of the nodes (at least
    /// <see cref="MinFeasibleNodesToFind"/>) was found feasible, the search stops and the best of
    /// those wins. 0 (the default) adapts it to the cluster's size as Kubernetes does: 50% minus
    /// one point per 125 nodes, at least 5%; 100 scores every node. An unschedulable pod always
    /// sees every node, so its message counts them all.
    /// </summary>
    public int PercentageOfNodesToScore { get; init; }

    public const int MinFeasibleNodesToFind = 100;

    /// <summary>A copy of this scheduler that stops after the given share of feasible nodes.</summary>
    public PodScheduler WithPercentageOfNodesToScore(int percentage) =>
        percentage is < 0 or > 100
            ? throw new ArgumentOutOfRangeException(nameof(percentage), percentage, "percentage of nodes to score must be between 0 (adaptive) and 100")
            : new PodScheduler(Filters, Scores) { PercentageOfNodesToScore = percentage };

    /// <summary>How many feasible nodes are enough out of <paramref name="allNodes"/> (Kubernetes' numFeasibleNodesToFind).</summary>
    public int FeasibleNodesToFind(int allNodes)
    {
        if (allNodes < MinFeasibleNodesToFind || PercentageOfNodesToScore >= 100) return allNodes;
        var percentage = PercentageOfNodesToScore > 0 ? PercentageOfNodesToScore : Math.Max(5, 50 - allNodes / 125);
        return Math.Max(MinFeasibleNodesToFind, (int)((long)allNodes * percentage / 100));
    }

    /// <summary>
    /// Schedules one pod. The search starts at a node chosen by a hash of the pod, so when it stops
    /// early (<see cref="PercentageOfNodesToScore"/>) different pods still look at different nodes.
    /// </summary>
    public ScheduleResult Schedule(PodDemand pod, IEnumerable<NodeState> nodes)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(nodes);
        var list = nodes as IReadOnlyList<NodeState> ?? nodes.ToList();
        // Indexed loops: a foreach over the stage lists would allocate an enumerator per node.
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        var reasons = new List<string>(4);
        NodeState? best = null;
        long bestScore = long.MinValue;
        uint bestTie = 0;
        var podHash = Fnv(pod.Key, 2166136261);
        var enough = FeasibleNodesToFind(list.Count);
        var start = list.Count == 0 ? 0 : (int)(podHash % (uint)list.Count);
        var feasibleCount = 0;
        for (var i = 0; i < list.Count && feasibleCount < enough; i++)
        {
            var node = list[(start + i) % list.Count];
            reasons.Clear();
            var feasible = true;
            for (var f = 0; f < Filters.Count; f++)
            {
                if (!Filters[f].Feasible(pod, node, reasons)) { feasible = false; break; }
            }
            if (!feasible)
            {
                for (var r = 0; r < reasons.Count; r++) failures[reasons[r]] = failures.GetValueOrDefault(reasons[r]) + 1;
                continue;
            }
            feasibleCount++;
            long score = 0;
            for (var s = 0; s < Scores.Count; s++) score += (long)Scores[s].Weight * Scores[s].Stage.Score(pod, node);
            var tie = Fnv(node.Name, podHash);
            if (score > bestScore || (score == bestScore && tie < bestTie))
            {
                best = node;
                bestScore = score;
                bestTie = tie;
            }
        }
        return new ScheduleResult(best?.Name, list.Count, failures);
    }

    private static uint Fnv(string text, uint hash)
    {
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619;
        }
        return hash;
    }
}
