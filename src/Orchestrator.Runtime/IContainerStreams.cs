namespace Orchestrator.Runtime;

/// <summary>
/// Interactive streams into a running container: <c>kubectl exec</c> (a new process) and
/// <c>kubectl attach</c> (the container's own process). Kept apart from <see cref="IContainerRuntime"/>,
/// which only needs one-shot execs (probes).
/// </summary>
public interface IContainerStreams
{
    /// <summary>Starts <paramref name="command"/> in a running container with the streams of <paramref name="options"/>.</summary>
    /// <exception cref="ContainerRuntimeException"><see cref="RuntimeErrorReasons.ContainerNotRunning"/> when it is not running.</exception>
    /// <exception cref="ContainerNotFoundException">It does not exist.</exception>
    Task<IContainerSession> ExecAsync(string containerId, IReadOnlyList<string> command, StreamOptions options, CancellationToken cancellationToken);

    /// <summary>Attaches to the streams of a running container's main process (stdin only if it was created with one).</summary>
    /// <exception cref="ContainerRuntimeException"><see cref="RuntimeErrorReasons.ContainerNotRunning"/> when it is not running.</exception>
    /// <exception cref="ContainerNotFoundException">It does not exist.</exception>
    Task<IContainerSession> AttachAsync(string containerId, StreamOptions options, CancellationToken cancellationToken);
}

/// <summary>Which streams an exec or attach carries.</summary>
/// <param name="Stdin">Forward input to the process.</param>
/// <param name="Stdout">Return its stdout.</param>
/// <param name="Stderr">Return its stderr (with <paramref name="Tty"/> it goes to the terminal, i.e. stdout).</param>
/// <param name="Tty">Run it on a pseudo-terminal (raw output, resizable).</param>
public sealed record StreamOptions(bool Stdin, bool Stdout, bool Stderr, bool Tty);

/// <summary>What one read of an <see cref="IContainerSession"/> gave.</summary>
/// <param name="Count">Bytes read into the buffer; 0 with <paramref name="End"/>.</param>
/// <param name="Stderr">They came from stderr (never with a terminal).</param>
/// <param name="End">The output has ended (the process closed it or exited).</param>
public readonly record struct StreamRead(int Count, bool Stderr, bool End);

/// <summary>One running exec or attach. Dispose to let go of it (the process is not killed: the engine cannot kill an exec).</summary>
public interface IContainerSession : IAsyncDisposable
{
    /// <summary>Reads the next piece of output.</summary>
    ValueTask<StreamRead> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes to the process's stdin.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Closes stdin (the process reads end of file).</summary>
    ValueTask CloseInputAsync(CancellationToken cancellationToken);

    /// <summary>Sets the terminal's size (does nothing without a terminal).</summary>
    Task ResizeAsync(int width, int height, CancellationToken cancellationToken);

    /// <summary>
    /// After the output ended: the exit code of the exec'd process (waiting a moment for the engine to
    /// record it), or, for an attach, of the container if it has exited; null when unknown.
    /// </summary>
    Task<int?> ExitCodeAsync(CancellationToken cancellationToken);
}
