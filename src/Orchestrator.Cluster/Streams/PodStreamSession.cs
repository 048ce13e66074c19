namespace Orchestrator.Cluster.Streams;

/// <summary>What a streaming request of the API opens on the node that runs the pod.</summary>
public enum PodStreamKind
{
    /// <summary><c>pods/exec</c>: a new process in a container.</summary>
    Exec,

    /// <summary><c>pods/attach</c>: the streams of the container's own process.</summary>
    Attach,

    /// <summary><c>pods/portforward</c>: one TCP connection to a port of the pod.</summary>
    PortForward,
}

/// <summary>
/// One exec, attach or port connection, as the API server asks the node agent for it.
/// </summary>
/// <param name="Kind">What to open.</param>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Pod">The pod's name.</param>
/// <param name="Uid">The pod's uid (containers of an older pod of the same name do not count).</param>
/// <param name="Container">The container (exec, attach); empty for a port connection.</param>
/// <param name="Command">The command of an exec.</param>
/// <param name="Stdin">Forward input (exec, attach).</param>
/// <param name="Stdout">Return stdout (exec, attach).</param>
/// <param name="Stderr">Return stderr (exec, attach).</param>
/// <param name="Tty">A pseudo-terminal (exec; attach takes the container's own setting).</param>
/// <param name="PodIp">The pod's IP (port connection).</param>
/// <param name="Port">The pod's port (port connection).</param>
public sealed record PodStreamRequest(
    PodStreamKind Kind,
    string Namespace,
    string Pod,
    string Uid,
    string Container,
    IReadOnlyList<string> Command,
    bool Stdin,
    bool Stdout,
    bool Stderr,
    bool Tty,
    string? PodIp = null,
    int Port = 0) : IClusterMessage;

/// <summary>A piece of output: <see cref="Channel"/> 1 is stdout (or the port's data), 2 is stderr.</summary>
public readonly record struct PodStreamChunk(int Channel, byte[] Data);

/// <summary>
/// How a session ended: an exec's exit code (null when unknown, e.g. an attach whose container
/// still runs), or why it failed (<see cref="Error"/>, shown to the user as it is).
/// </summary>
public sealed record PodStreamEnd(int? ExitCode, string? Error)
{
    public static PodStreamEnd Success { get; } = new(0, null);

    public static PodStreamEnd Failed(string error) => new(null, error);
}

/// <summary>
/// An open exec, attach or port connection: the same surface whether the pod runs on this member
/// (straight to the engine or the socket) or on another one (over the cluster's connections).
/// </summary>
public interface IPodStreamSession : IAsyncDisposable
{
    /// <summary>The next piece of output; null once the output has ended (then <see cref="EndAsync"/>).</summary>
    ValueTask<PodStreamChunk?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>How it ended; call after <see cref="ReadAsync"/> returned null.</summary>
    Task<PodStreamEnd> EndAsync(CancellationToken cancellationToken);

    /// <summary>Input: the process's stdin, or bytes to send to the port.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>No more input (stdin closed; the connection's write side shut down).</summary>
    ValueTask CloseInputAsync(CancellationToken cancellationToken);

    /// <summary>The terminal's new size (exec and attach with a terminal).</summary>
    ValueTask ResizeAsync(int width, int height, CancellationToken cancellationToken);
}

/// <summary>Opens sessions for requests (on the node: the engine; elsewhere: the node's member).</summary>
public interface IPodStreamOpener
{
    /// <summary>Opens the session; an <see cref="Domain.Resources.ApiErrorException"/> says why it cannot be (e.g. 400 container not running).</summary>
    Task<IPodStreamSession> OpenAsync(PodStreamRequest request, CancellationToken cancellationToken);
}
