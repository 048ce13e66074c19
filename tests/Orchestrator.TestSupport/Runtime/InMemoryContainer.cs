using Orchestrator.Runtime;

namespace Orchestrator.TestSupport.Runtime;

/// <summary>
/// How a container of <see cref="InMemoryContainerRuntime"/> behaves, set per container name of the
/// pod spec (<see cref="InMemoryContainerRuntime.Program"/>). The default runs until told to exit,
/// exits 143 on SIGTERM and answers exec with "executable file not found".
/// </summary>
public sealed record ContainerProgram
{
    /// <summary>The engine refuses to create the container with this message (<see cref="CreateContainerException"/>).</summary>
    public string? CreateError { get; init; }

    /// <summary>The container cannot start, e.g. its command does not exist: <see cref="StartContainerException"/>, it stays created.</summary>
    public string? StartError { get; init; }

    /// <summary>The process exits with this code right after it started.</summary>
    public int? ExitsAtOnceWith { get; init; }

    /// <summary>A start waits for this task (a slow start); the container runs once it completes.</summary>
    public Func<Task>? StartGate { get; init; }

    /// <summary>The process ignores SIGTERM: a stop waits the grace period (on the runtime's clock), then kills it (137).</summary>
    public bool IgnoresSigterm { get; init; }

    /// <summary>The outcome of an exec (an exec probe); called on every exec with the command.</summary>
    public Func<IReadOnlyList<string>, ExecResult>? Exec { get; init; }
}

/// <summary>A signal <see cref="InMemoryContainerRuntime"/> sent to a container, and when (on its clock).</summary>
public sealed record SentSignal(string ContainerId, string ContainerName, string Signal, DateTimeOffset At);

/// <summary>One container of <see cref="InMemoryContainerRuntime"/>: what the engine would keep about it.</summary>
internal sealed class InMemoryContainer
{
    public required string Id { get; init; }

    public required string EngineName { get; init; }

    public required string Name { get; init; }

    public required ContainerKind Kind { get; init; }

    public required string Image { get; init; }

    public required Dictionary<string, string> Labels { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required long Sequence { get; init; }

    public PodIdentity? Pod { get; init; }

    public ContainerConfig? Config { get; init; }

    public string? SandboxId { get; init; }

    public IReadOnlyList<PortMapping> HostPorts { get; init; } = [];

    public ContainerState State { get; set; } = ContainerState.Created;

    public int ExitCode { get; set; }

    public bool OomKilled { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string? IpAddress { get; set; }

    /// <summary>The engine's error of a start that failed inside the engine (not the missing-command check, which leaves none).</summary>
    public string? Error { get; set; }

    public List<(LogLine Line, DateTimeOffset At)> Logs { get; } = [];

    /// <summary>Completed (and replaced) on every change a follower or a stop waits for.</summary>
    public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Touch()
    {
        var changed = Changed;
        Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    public ContainerStatus ToStatus() => new(
        Id,
        Name,
        Kind,
        Pod,
        Image,
        State,
        ExitCode,
        CreatedAt,
        StartedAt,
        State == ContainerState.Running ? null : FinishedAt,
        int.TryParse(Labels.GetValueOrDefault(ContainerLabels.RestartCount), System.Globalization.CultureInfo.InvariantCulture, out var restarts) ? restarts : 0,
        OomKilled,
        Error,
        State == ContainerState.Running ? IpAddress : null,
        new Dictionary<string, string>(Labels, StringComparer.Ordinal));
}
