using System.Net;
using System.Runtime.InteropServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>Interactive exec and attach over the engine's hijacked connection.</summary>
public sealed partial class DockerContainerRuntime : IContainerStreams
{
    /// <inheritdoc />
    public async Task<IContainerSession> ExecAsync(string containerId, IReadOnlyList<string> command, StreamOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(options);
        if (command.Count == 0 || string.IsNullOrEmpty(command[0]))
            throw new ArgumentException("exec needs a command", nameof(command));

        string execId;
        try
        {
            execId = (await _client.Exec.ExecCreateContainerAsync(
                containerId,
                new ContainerExecCreateParameters
                {
                    Cmd = [.. command],
                    AttachStdin = options.Stdin,
                    AttachStdout = options.Stdout,
                    AttachStderr = options.Stderr,
                    Tty = options.Tty,
                },
                cancellationToken)).ID;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw StreamError("exec in", containerId, e, cancellationToken);
        }

        MultiplexedStream stream;
        try
        {
            stream = await _client.Exec.StartAndAttachContainerExecAsync(execId, options.Tty, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw StreamError("exec in", containerId, e, cancellationToken);
        }
        return new EngineSession(this, stream, options, execId, containerId);
    }

    /// <inheritdoc />
    public async Task<IContainerSession> AttachAsync(string containerId, StreamOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ArgumentNullException.ThrowIfNull(options);
        ContainerInspectResponse inspect;
        try
        {
            inspect = await _client.Containers.InspectContainerAsync(containerId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw StreamError("attach to", containerId, e, cancellationToken);
        }
        if (!inspect.State.Running)
        {
            throw new ContainerRuntimeException(RuntimeErrorReasons.ContainerNotRunning,
                $"cannot attach to container {StartContainerException.ShortId(containerId)}: it is not running", "container is not running");
        }
        // The engine decides the terminal at create; ask for stdin only where the container has one.
        var tty = inspect.Config.Tty;
        var stdin = options.Stdin && inspect.Config.OpenStdin;
        MultiplexedStream stream;
        try
        {
            stream = await _client.Containers.AttachContainerAsync(containerId, tty, new ContainerAttachParameters
            {
                Stream = true,
                Stdin = stdin,
                Stdout = options.Stdout,
                Stderr = options.Stderr,
            }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw StreamError("attach to", containerId, e, cancellationToken);
        }
        return new EngineSession(this, stream, options with { Stdin = stdin, Tty = tty }, null, containerId);
    }

    private static Exception StreamError(string what, string containerId, Exception e, CancellationToken cancellationToken) => e switch
    {
        DockerContainerNotFoundException => new ContainerNotFoundException(containerId, e),
        DockerApiException api when api.StatusCode == HttpStatusCode.Conflict => new ContainerRuntimeException(
            RuntimeErrorReasons.ContainerNotRunning,
            $"cannot {what} container {StartContainerException.ShortId(containerId)}: {EngineErrors.MessageOf(e)}",
            EngineErrors.MessageOf(e),
            e),
        _ when EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken) =>
            EngineErrors.Unexpected($"cannot {what} container {StartContainerException.ShortId(containerId)}", e),
        _ => e,
    };

    private async Task ResizeAsync(string? execId, string containerId, int width, int height, CancellationToken cancellationToken)
    {
        var size = new ContainerResizeParameters { Width = checked((long)width), Height = checked((long)height) };
        try
        {
            if (execId is not null) await _client.Exec.ResizeContainerExecTtyAsync(execId, size, cancellationToken);
            else await _client.Containers.ResizeContainerTtyAsync(containerId, size, cancellationToken);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e))
        {
            // A resize racing the process's exit: nothing left to resize.
        }
    }

    private async Task<int?> ExitCodeAsync(string? execId, string containerId, CancellationToken cancellationToken)
    {
        try
        {
            if (execId is null)
            {
                var container = await _client.Containers.InspectContainerAsync(containerId, cancellationToken);
                return container.State.Running ? null : (int)container.State.ExitCode;
            }
            // The output ends when the process closes it; its exit code is recorded a moment later.
            var delay = TimeSpan.FromMilliseconds(5);
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var inspect = await _client.Exec.InspectContainerExecAsync(execId, cancellationToken);
                if (!inspect.Running) return (int)inspect.ExitCode;
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
            }
            return null; // still running: the process closed its output but lives on
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e))
        {
            return null;
        }
    }

    /// <summary>An exec or attach on the engine's hijacked connection.</summary>
    private sealed class EngineSession(DockerContainerRuntime runtime, MultiplexedStream stream, StreamOptions options, string? execId, string containerId) : IContainerSession
    {
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private bool _inputClosed;

        public async ValueTask<StreamRead> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (!MemoryMarshal.TryGetArray<byte>(buffer, out var segment))
                throw new ArgumentException("the buffer must be array-backed", nameof(buffer));
            MultiplexedStream.ReadResult read;
            try
            {
                read = await stream.ReadOutputAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
            {
                return new StreamRead(0, false, true); // the engine closed the connection: the process is gone
            }
            return read.EOF
                ? new StreamRead(0, false, true)
                : new StreamRead(read.Count, read.Target == MultiplexedStream.TargetStream.StandardError, false);
        }

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (!options.Stdin || data.IsEmpty) return;
            var bytes = data.ToArray();
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                if (_inputClosed) return;
                await stream.WriteAsync(bytes, 0, bytes.Length, cancellationToken);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The process has gone; what it did not read is lost, as with a closed pipe.
            }
            finally
            {
                _writeLock.Release();
            }
        }

        public async ValueTask CloseInputAsync(CancellationToken cancellationToken)
        {
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                if (_inputClosed || !options.Stdin) return;
                _inputClosed = true;
                stream.CloseWrite();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
            finally
            {
                _writeLock.Release();
            }
        }

        public Task ResizeAsync(int width, int height, CancellationToken cancellationToken) =>
            options.Tty && width > 0 && height > 0 ? runtime.ResizeAsync(execId, containerId, width, height, cancellationToken) : Task.CompletedTask;

        public Task<int?> ExitCodeAsync(CancellationToken cancellationToken) => runtime.ExitCodeAsync(execId, containerId, cancellationToken);

        public ValueTask DisposeAsync()
        {
            stream.Dispose();
            _writeLock.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
