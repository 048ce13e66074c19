using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>Logs and exec: the operations that read the engine's multiplexed output streams.</summary>
public sealed partial class DockerContainerRuntime
{
    /// <inheritdoc />
    public async IAsyncEnumerable<LogLine> GetLogsAsync(string containerId, LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TailLines is < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.TailLines, "TailLines must not be negative");

        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Follow = options.Follow,
            Timestamps = options.Timestamps,
            Tail = options.TailLines?.ToString(CultureInfo.InvariantCulture) ?? "all",
            Since = options.Since is { } since ? DockerTime.ToUnixSeconds(since) : null,
        };

        MultiplexedStream stream;
        try
        {
            stream = await _client.Containers.GetContainerLogsAsync(containerId, false, parameters, cancellationToken);
        }
        catch (DockerContainerNotFoundException e)
        {
            throw new ContainerNotFoundException(containerId, e);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot read the logs of container {StartContainerException.ShortId(containerId)}", e);
        }

        using (stream)
        using (cancellationToken.Register(static s => ((MultiplexedStream)s!).Dispose(), stream))
        {
            var stdout = new LogLineSplitter();
            var stderr = new LogLineSplitter();
            var buffer = new byte[16 * 1024];
            while (true)
            {
                MultiplexedStream.ReadResult read;
                try
                {
                    read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                }
                catch (Exception e) when (cancellationToken.IsCancellationRequested && e is ObjectDisposedException or IOException)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                catch (Exception e) when (EngineErrors.IsEngineFailure(e))
                {
                    throw EngineErrors.Unexpected($"lost the logs of container {StartContainerException.ShortId(containerId)}", e);
                }

                if (read.EOF)
                    break;

                var (splitter, kind) = read.Target == MultiplexedStream.TargetStream.StandardError
                    ? (stderr, LogSource.Stderr)
                    : (stdout, LogSource.Stdout);
                foreach (var line in splitter.Add(buffer.AsSpan(0, read.Count)))
                    yield return EngineMapping.ToLogLine(kind, line, options.Timestamps);
            }

            if (stdout.Flush() is { } lastOut)
                yield return EngineMapping.ToLogLine(LogSource.Stdout, lastOut, options.Timestamps);
            if (stderr.Flush() is { } lastErr)
                yield return EngineMapping.ToLogLine(LogSource.Stderr, lastErr, options.Timestamps);
        }
    }

    /// <inheritdoc />
    public async Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0 || string.IsNullOrEmpty(command[0]))
            throw new ArgumentException("exec needs a command", nameof(command));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);

        string execId;
        try
        {
            execId = (await _client.Exec.ExecCreateContainerAsync(
                containerId,
                new ContainerExecCreateParameters { Cmd = [.. command], AttachStdout = true, AttachStderr = true },
                cancellationToken)).ID;
        }
        catch (DockerContainerNotFoundException e)
        {
            throw new ContainerNotFoundException(containerId, e);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            var message = EngineErrors.MessageOf(e);
            throw new ContainerRuntimeException(
                RuntimeErrorReasons.ContainerNotRunning,
                $"cannot exec in container {StartContainerException.ShortId(containerId)}: {message}",
                message,
                e);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot exec in container {StartContainerException.ShortId(containerId)}", e);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var stdout = new BoundedOutput(ExecResult.MaxOutputBytes);
        var stderr = new BoundedOutput(ExecResult.MaxOutputBytes);
        try
        {
            using var stream = await _client.Exec.StartAndAttachContainerExecAsync(execId, false, deadline.Token);
            using var registration = deadline.Token.Register(static s => ((MultiplexedStream)s!).Dispose(), stream);
            var buffer = new byte[8 * 1024];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, deadline.Token);
                if (read.EOF)
                    break;
                (read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout).Append(buffer.AsSpan(0, read.Count));
            }

            // The output ends when the process closes it; its exit code follows a moment later.
            var delay = TimeSpan.FromMilliseconds(5);
            while (true)
            {
                var inspect = await _client.Exec.InspectContainerExecAsync(execId, deadline.Token);
                if (!inspect.Running)
                    return new ExecResult((int)inspect.ExitCode, stdout.ToString(), stderr.ToString(), false);
                await Task.Delay(delay, deadline.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
            }
        }
        catch (Exception e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested &&
                                  e is OperationCanceledException or ObjectDisposedException or IOException)
        {
            return new ExecResult(null, stdout.ToString(), stderr.ToString(), true);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            throw EngineErrors.Unexpected($"exec in container {StartContainerException.ShortId(containerId)} failed", e);
        }
    }
}
