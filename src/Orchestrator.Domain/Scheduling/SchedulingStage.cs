using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Scheduling;

/// <summary>Where a pod stands for the scheduler, after one watch event of it.</summary>
public enum SchedulingStage
{
    /// <summary>Deleted, or finished on its node: it takes no room any more.</summary>
    Left,

    /// <summary>Bound to a node (by this scheduler or another): it takes room there.</summary>
    Bound,

    /// <summary>Not to be scheduled: being deleted, finished before it was bound, or for another scheduler.</summary>
    Ignored,

    /// <summary>Waits for this scheduler to bind it.</summary>
    Pending,
}

/// <summary>The scheduler's reading of a pod (Kubernetes' scheduler queues only unbound pods that name it).</summary>
public static class SchedulingStages
{
    /// <summary>The stage of <paramref name="pod"/> (<paramref name="deleted"/>: the event was its deletion) for the scheduler named <paramref name="schedulerName"/>.</summary>
    public static SchedulingStage Of(JsonObject pod, bool deleted, string schedulerName)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var node = PodHelpers.NodeName(pod);
        var finished = PodHelpers.Phase(pod) is "Succeeded" or "Failed";
        if (deleted || (finished && node is not null)) return SchedulingStage.Left;
        if (node is not null) return SchedulingStage.Bound;
        if (pod.IsDeleting() || finished || (pod["spec"].AsObjectOrNull().GetString("schedulerName") is { Length: > 0 } name && name != schedulerName))
            return SchedulingStage.Ignored;
        return SchedulingStage.Pending;
    }
}
