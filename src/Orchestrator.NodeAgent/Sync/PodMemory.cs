using Orchestrator.Domain.NodeAgent;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>
/// What the agent remembers about one pod between syncs, beyond what the engine and the store
/// show: backoffs, probe verdicts, why a container is held back. Lost on restart on purpose:
/// everything needed to continue safely (which containers exist, their restart counts) is on the
/// engine's labels; a fresh backoff or probe state only delays or repeats a check.
/// Only the one sync running for the pod touches it.
/// </summary>
internal sealed class PodMemory(string uid)
{
    public string Uid { get; } = uid;

    public int SandboxAttempt { get; set; }

    /// <summary>The spare sandbox given to this pod, until an app container joins it (then the engine's labels tell).</summary>
    public Runtime.SpareSandbox? Spare { get; set; }

    /// <summary>App containers created while the sandbox started and not started yet: their first start counts as a new run's start.</summary>
    public HashSet<string> CreatedAhead { get; } = new(StringComparer.Ordinal);

    /// <summary>Steps of the pod's first start here, logged once it runs (null when it had containers already).</summary>
    public PodStartTimeline? StartTimeline { get; set; }

    public BackoffState? SandboxBackoff { get; set; }

    public (string Reason, string Message)? SandboxError { get; set; }

    /// <summary>The last FailedMount message (an event is recorded when it changes); null once the volumes are set up.</summary>
    public string? VolumeError { get; set; }

    /// <summary>Restart counts of containers that were removed with a dead sandbox, so new runs continue counting.</summary>
    public Dictionary<string, int> RestartBase { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ContainerMemory> Containers { get; } = new(StringComparer.Ordinal);

    public ContainerMemory For(string container) =>
        Containers.TryGetValue(container, out var memory) ? memory : Containers[container] = new ContainerMemory();
}

/// <summary>One container's backoffs and probe states.</summary>
internal sealed class ContainerMemory
{
    /// <summary>Backoff after exits of the container (CrashLoopBackOff).</summary>
    public BackoffState? ExitBackoff { get; set; }

    /// <summary>The container id <see cref="ExitBackoff"/> was last advanced for (each exit counts once).</summary>
    public string? ExitBackoffFor { get; set; }

    /// <summary>Backoff between failed image pulls or failed creations.</summary>
    public BackoffState? StartBackoff { get; set; }

    /// <summary>The reason and message of the last failed pull or creation, shown while backing off.</summary>
    public (string Reason, string Message)? StartError { get; set; }

    /// <summary>
    /// The run that failed to start and the start's error, for as long as the engine shows it as
    /// created without an error of its own (lost on restart: the next start attempt tells again).
    /// </summary>
    public (string Id, string Message)? StartFailure { get; set; }

    /// <summary>The container id the probe states belong to (a new run starts them over).</summary>
    public string? ProbedId { get; set; }

    public ProbeState? Liveness { get; set; }

    public ProbeState? Readiness { get; set; }
}
