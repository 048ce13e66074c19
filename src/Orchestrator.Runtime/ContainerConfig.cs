namespace Orchestrator.Runtime;

/// <summary>An environment variable of a container.</summary>
public sealed record EnvVar(string Name, string Value);

/// <summary>A folder or file of the node bound into a container (a pod volume, or a part of one under a subPath).</summary>
/// <param name="HostPath">The absolute path on the node.</param>
/// <param name="ContainerPath">The absolute path in the container.</param>
/// <param name="ReadOnly">Whether the container may not write to it.</param>
public sealed record VolumeMount(string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>A container of a pod, as <see cref="IContainerRuntime.CreateContainerAsync"/> creates it.</summary>
/// <param name="Name">The container's name in the pod spec.</param>
/// <param name="Image">The image reference; must be present (see <see cref="IContainerRuntime.EnsureImageAsync"/>).</param>
/// <param name="Command">Replaces the image's entrypoint when non-empty (Kubernetes <c>command</c>).</param>
/// <param name="Args">Replaces the image's cmd when non-empty (Kubernetes <c>args</c>).</param>
/// <param name="WorkingDir">The working directory; null keeps the image's.</param>
/// <param name="Env">Environment variables, in order; later ones win.</param>
/// <param name="CpuLimitMillicores">CPU limit in millicores (1000 = one CPU); null for none.</param>
/// <param name="MemoryLimitBytes">Memory limit in bytes; null for none. The engine refuses less than 6 MiB.</param>
/// <param name="Labels">Extra labels; the runtime's <see cref="ContainerLabels"/> win over these.</param>
/// <param name="RestartCount">How many times this container was restarted before (0 for the first run).</param>
/// <param name="Mounts">The pod volumes it mounts, in order.</param>
/// <param name="CpuShares">The container's CPU weight against the others (1024 per requested CPU, 2 without a request, as kubelet sets it); null for the engine's default.</param>
public sealed record ContainerConfig(
    string Name,
    string Image,
    IReadOnlyList<string>? Command = null,
    IReadOnlyList<string>? Args = null,
    string? WorkingDir = null,
    IReadOnlyList<EnvVar>? Env = null,
    long? CpuLimitMillicores = null,
    long? MemoryLimitBytes = null,
    IReadOnlyDictionary<string, string>? Labels = null,
    int RestartCount = 0,
    IReadOnlyList<VolumeMount>? Mounts = null,
    long? CpuShares = null);

/// <summary>Whether a container is a pod's sandbox or one of its containers.</summary>
public enum ContainerKind
{
    Sandbox,
    App,
}

/// <summary>The lifecycle state of a container, as far as the node agent cares.</summary>
/// <remarks>
/// <code>
///   Created --start--> Running --process exits / stop--> Exited
///      |                                                  ^
///      +------------- start fails ------------------------+
/// </code>
/// The engine's <c>paused</c> and <c>restarting</c> count as <see cref="Running"/>; <c>dead</c> and
/// <c>removing</c> as <see cref="Exited"/>; anything else as <see cref="Unknown"/>.
/// </remarks>
public enum ContainerState
{
    Unknown,
    Created,
    Running,
    Exited,
}

/// <summary>A container as the engine sees it now.</summary>
/// <param name="Id">The engine's id.</param>
/// <param name="Name">The container's name in the pod spec (<see cref="ContainerLabels.SandboxContainerName"/> for a sandbox).</param>
/// <param name="Kind">Sandbox or app container.</param>
/// <param name="Pod">The pod it belongs to; null for a container without the pod labels.</param>
/// <param name="Image">The image reference it was created from.</param>
/// <param name="State">Its state.</param>
/// <param name="ExitCode">The process's exit code; meaningful when <paramref name="State"/> is Exited (137 = killed by SIGKILL).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="StartedAt">When its process last started; null if it never started.</param>
/// <param name="FinishedAt">When its process last ended; null if it has not ended. Never before <paramref name="StartedAt"/>.</param>
/// <param name="RestartCount">The value of <see cref="ContainerLabels.RestartCount"/>.</param>
/// <param name="OomKilled">True when the kernel killed it for exceeding its memory limit.</param>
/// <param name="Error">The engine's error for a failed start, if any.</param>
/// <param name="IpAddress">Its IP address (a sandbox's is the pod IP); null when it has none of its own.</param>
/// <param name="Labels">All its labels.</param>
public sealed record ContainerStatus(
    string Id,
    string Name,
    ContainerKind Kind,
    PodIdentity? Pod,
    string Image,
    ContainerState State,
    int ExitCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int RestartCount,
    bool OomKilled,
    string? Error,
    string? IpAddress,
    IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>
    /// Kubernetes' <c>terminated.reason</c> for an exited container: <c>OOMKilled</c>, <c>Completed</c>
    /// (exit code 0) or <c>Error</c>; null while it has not exited.
    /// </summary>
    public string? TerminationReason => State != ContainerState.Exited
        ? null
        : OomKilled ? "OOMKilled" : ExitCode == 0 ? "Completed" : "Error";
}

/// <summary>
/// Resources and settings of a container as the engine applied them, for checks and diagnostics.
/// </summary>
/// <param name="Status">Its status.</param>
/// <param name="Entrypoint">The effective entrypoint.</param>
/// <param name="Cmd">The effective cmd.</param>
/// <param name="WorkingDir">The effective working directory.</param>
/// <param name="Env">The effective environment (image's and container's), as NAME=value.</param>
/// <param name="NanoCpus">The CPU limit in billionths of a CPU; 0 for none.</param>
/// <param name="MemoryLimitBytes">The memory limit in bytes; 0 for none.</param>
/// <param name="NetworkMode">The engine's network mode, e.g. <c>container:&lt;sandbox id&gt;</c>.</param>
/// <param name="Init">Whether the engine runs an init process that forwards signals and reaps zombies.</param>
public sealed record ContainerDetails(
    ContainerStatus Status,
    IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Cmd,
    string WorkingDir,
    IReadOnlyList<string> Env,
    long NanoCpus,
    long MemoryLimitBytes,
    string NetworkMode,
    bool Init);
