using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.NodeAgent;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>
/// The init containers part of a sync: they run one at a time, in order, each to success, before
/// any app container is created.
/// </summary>
/// <remarks>
/// <code>
///   init[i] (none) --previous ones succeeded--> Running --exit 0--> done, init[i+1] next
///   init[i] exit != 0 --restartPolicy Always/OnFailure--> CrashLoopBackOff --backoff over--> new run
///   init[i] exit != 0 --restartPolicy Never--> terminal: the pod fails (Init:Error)
///   all done --> app containers (a pod whose app containers ran once is initialized for good,
///                until its sandbox is recreated, which runs the init containers again)
/// </code>
/// </remarks>
public sealed partial class PodSyncer
{
    /// <summary>How often a running init container is looked at (its exit starts the next one).</summary>
    private static readonly TimeSpan InitPoll = TimeSpan.FromSeconds(1);

    /// <summary>What the init containers leave for the app containers: their observations, whether the pod is initialized, when to look again.</summary>
    private sealed record InitProgress(List<ContainerObservation> Observations, bool Initialized, DateTimeOffset? Wake);

    private async Task<InitProgress> SyncInitContainers(
        JsonObject pod, V1Pod typed, PodSandbox sandbox, List<ContainerStatus> apps, PodMemory memory, RestartPolicy policy, DateTimeOffset now, CancellationToken ct)
    {
        var inits = typed.Spec.InitContainers ?? [];
        var observations = new List<ContainerObservation>();
        if (inits.Count == 0) return new InitProgress(observations, true, null);
        var appNames = typed.Spec.Containers.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var initialized = apps.Any(a => appNames.Contains(a.Name));

        // Kubernetes restarts a failed init container under Always as under OnFailure: a success is never repeated.
        var initPolicy = policy == RestartPolicy.Never ? RestartPolicy.Never : RestartPolicy.OnFailure;
        DateTimeOffset? wake = null;
        var blocked = false;
        foreach (var init in inits)
        {
            var runs = apps.Where(c => c.Name == init.Name).OrderBy(c => c.RestartCount).ThenBy(c => c.CreatedAt).ToList();
            if (initialized || blocked)
            {
                // Observed only: the pod ran its app containers already, or an earlier init container is not done.
                var current = runs.LastOrDefault();
                var previous = runs.Count > 1 ? runs[^2] : null;
                observations.Add(current is null && !initialized
                    ? new ContainerObservation(init.Name, init.Image, null, null, "PodInitializing", null, false, false)
                    : new ContainerObservation(init.Name, init.Image, current, previous, null, null, false, Terminal: true));
                continue;
            }
            var (observation, containerWake) = await SyncContainer(pod, typed, init, sandbox, runs, memory, initPolicy, now, ct);
            observations.Add(observation);
            wake = Earliest(wake, containerWake);
            if (PodStatusBuilder.InitSucceeded(observation)) continue;
            blocked = true;
            if (observation.Current?.State == ContainerState.Running) wake = Earliest(wake, now + InitPoll);
        }
        return new InitProgress(observations, initialized || !blocked, wake);
    }
}
