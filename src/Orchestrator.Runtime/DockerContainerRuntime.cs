using System.Buffers;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>
/// <see cref="IContainerRuntime"/> on a Docker engine (API 1.41 or later) through Docker.DotNet.
/// </summary>
/// <remarks>
/// A pod is one sandbox container running <see cref="DockerRuntimeOptions.SandboxImage"/> on
/// <see cref="DockerRuntimeOptions.Network"/> that publishes the pod's host ports, plus app containers
/// created with <c>NetworkMode = container:&lt;sandbox&gt;</c> (and its IPC namespace), so all of them
/// share one IP and reach each other on localhost. App containers run with the engine's init
/// (<c>HostConfig.Init</c>), so SIGTERM reaches processes that do not handle it as PID 1.
/// Engine container names follow <c>orch_&lt;node&gt;_&lt;namespace&gt;_&lt;pod&gt;_&lt;container&gt;_&lt;uid&gt;_&lt;attempt&gt;</c>.
/// </remarks>
public sealed class DockerContainerRuntime : IContainerRuntime, IDisposable
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly DockerRuntimeOptions _options;
    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _client;

    public DockerContainerRuntime(DockerRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.NodeName, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InspectConcurrency, 1, nameof(options));
        _options = options;
        _configuration = new DockerClientConfiguration(options.Endpoint, defaultTimeout: options.RequestTimeout);
        // Unversioned: the engine's own API version is used (asking for a newer one is refused).
        _client = _configuration.CreateClient();
    }

    /// <summary>The node this runtime works for.</summary>
    public string NodeName => _options.NodeName;

    /// <inheritdoc />
    public async Task<RuntimeInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await _client.System.GetVersionAsync(cancellationToken);
            var info = await _client.System.GetSystemInfoAsync(cancellationToken);
            return new RuntimeInfo(
                "docker",
                version.Version,
                version.APIVersion,
                info.OperatingSystem,
                info.KernelVersion,
                info.Architecture,
                (int)info.NCPU,
                info.MemTotal,
                info.Name);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected("cannot read the engine's version", e);
        }
    }

    /// <inheritdoc />
    public async Task EnsureImageAsync(string image, ImagePullPolicy pullPolicy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (ImageReference.TryParse(image) is not { } reference)
            throw new ImagePullException(image, RuntimeErrorReasons.InvalidImageName, $"invalid image name \"{image}\"");

        if (pullPolicy != ImagePullPolicy.Always && await IsImagePresentAsync(image, cancellationToken))
            return;

        if (pullPolicy == ImagePullPolicy.Never)
            throw new ImagePullException(
                image,
                RuntimeErrorReasons.ErrImageNeverPull,
                $"Container image \"{image}\" is not present with pull policy of Never");

        var progress = new PullProgress();
        try
        {
            await _client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = reference.Repository, Tag = reference.Tag },
                null,
                progress,
                cancellationToken);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            var message = EngineErrors.MessageOf(e);
            var reason = message.Contains("invalid reference format", StringComparison.OrdinalIgnoreCase)
                ? RuntimeErrorReasons.InvalidImageName
                : RuntimeErrorReasons.ErrImagePull;
            throw new ImagePullException(image, reason, $"failed to pull image \"{image}\": {message}", message, e);
        }

        // Errors in the middle of a pull come as messages in the progress stream, not as a status code.
        if (progress.Error is { } error)
            throw new ImagePullException(image, RuntimeErrorReasons.ErrImagePull, $"failed to pull image \"{image}\": {error}", error);
        if (!await IsImagePresentAsync(image, cancellationToken))
            throw new ImagePullException(image, RuntimeErrorReasons.ErrImagePull, $"failed to pull image \"{image}\": the engine reported no error, but the image is not present");
    }

    /// <inheritdoc />
    public async Task<PodSandbox> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ValidatePod(config.Pod);
        ArgumentNullException.ThrowIfNull(config.PortMappings);
        ArgumentOutOfRangeException.ThrowIfNegative(config.Attempt);
        foreach (var port in config.PortMappings)
        {
            if (port.ContainerPort is < 1 or > 65535 || port.HostPort is < 1 or > 65535)
                throw new ArgumentException($"port mapping {port} of pod {config.Pod}: ports must be between 1 and 65535", nameof(config));
        }

        try
        {
            await EnsureImageAsync(_options.SandboxImage, ImagePullPolicy.IfNotPresent, cancellationToken);
        }
        catch (ImagePullException e)
        {
            throw new PodSandboxException(config.Pod, $"cannot create the sandbox of pod {config.Pod}: {e.Message}", e.EngineMessage, e);
        }

        var exposed = new Dictionary<string, EmptyStruct>();
        var bindings = new Dictionary<string, IList<PortBinding>>();
        foreach (var port in config.PortMappings)
        {
            var key = $"{port.ContainerPort.ToString(CultureInfo.InvariantCulture)}/{port.Protocol.ToString().ToLowerInvariant()}";
            exposed[key] = default;
            if (!bindings.TryGetValue(key, out var list))
                bindings[key] = list = [];
            list.Add(new PortBinding { HostIP = port.HostIp ?? "", HostPort = port.HostPort.ToString(CultureInfo.InvariantCulture) });
        }

        var parameters = new CreateContainerParameters
        {
            Name = EngineName(config.Pod, ContainerLabels.SandboxContainerName, config.Attempt),
            Image = _options.SandboxImage,
            Hostname = Hostname(config.Pod.Name),
            Labels = Labels(config.Labels, config.Pod, ContainerLabels.SandboxContainerName, ContainerLabels.SandboxKind, config.Attempt),
            ExposedPorts = exposed,
            HostConfig = new HostConfig
            {
                NetworkMode = _options.Network,
                PortBindings = bindings,
                IpcMode = "shareable",
            },
        };

        string id;
        try
        {
            id = (await _client.Containers.CreateContainerAsync(parameters, cancellationToken)).ID;
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            var message = EngineErrors.MessageOf(e);
            throw new PodSandboxException(config.Pod, $"cannot create the sandbox of pod {config.Pod}: {message}", message, e);
        }

        try
        {
            await _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            var inspect = await _client.Containers.InspectContainerAsync(id, cancellationToken);
            var ip = IpAddressOf(inspect);
            if (!inspect.State.Running || string.IsNullOrEmpty(ip))
                throw new PodSandboxException(
                    config.Pod,
                    $"the sandbox of pod {config.Pod} started but is {inspect.State.Status} without an IP address on network \"{_options.Network}\" (exit code {inspect.State.ExitCode}, {inspect.State.Error})",
                    inspect.State.Error);
            return new PodSandbox(id, config.Pod, ip);
        }
        catch (Exception e) when (e is PodSandboxException || EngineErrors.IsEngineFailure(e) || e is OperationCanceledException)
        {
            // Leave nothing behind: a created sandbox that did not start would hold its name.
            await RemoveQuietlyAsync(id);
            if (e is PodSandboxException)
                throw;
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
                throw;
            var message = EngineErrors.MessageOf(e);
            if (message.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase) ||
                message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                throw new HostPortInUseException(config.Pod, config.PortMappings, message, e);
            throw new PodSandboxException(config.Pod, $"cannot start the sandbox of pod {config.Pod}: {message}", message, e);
        }
    }

    /// <inheritdoc />
    public async Task RemovePodSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxId);
        ContainerInspectResponse sandbox;
        try
        {
            sandbox = await _client.Containers.InspectContainerAsync(sandboxId, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return;
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot remove sandbox {StartContainerException.ShortId(sandboxId)}", e);
        }

        var labels = sandbox.Config.Labels ?? new Dictionary<string, string>();
        if (!labels.TryGetValue(ContainerLabels.ContainerKind, out var kind) || kind != ContainerLabels.SandboxKind ||
            !labels.TryGetValue(ContainerLabels.Node, out var node) || node != _options.NodeName)
            throw new ArgumentException($"container {StartContainerException.ShortId(sandboxId)} is not a pod sandbox of node \"{_options.NodeName}\"", nameof(sandboxId));

        if (labels.TryGetValue(ContainerLabels.PodUid, out var uid))
        {
            var members = await ListIdsAsync(
                new Dictionary<string, string> { [ContainerLabels.PodUid] = uid, [ContainerLabels.ContainerKind] = ContainerLabels.AppKind },
                cancellationToken);
            foreach (var member in members)
                await RemoveContainerAsync(member, cancellationToken);
        }

        await RemoveContainerAsync(sandbox.ID, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string> CreateContainerAsync(PodSandbox sandbox, ContainerConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(sandbox.Id, nameof(sandbox));
        ValidatePod(sandbox.Pod);
        if (string.IsNullOrWhiteSpace(config.Name) || config.Name == ContainerLabels.SandboxContainerName)
            throw new ArgumentException($"container name \"{config.Name}\" of pod {sandbox.Pod}: must be non-empty and not \"{ContainerLabels.SandboxContainerName}\"", nameof(config));
        if (string.IsNullOrWhiteSpace(config.Image))
            throw new ArgumentException($"container \"{config.Name}\" of pod {sandbox.Pod}: image is empty", nameof(config));
        if (config.CpuLimitMillicores is <= 0)
            throw new ArgumentException($"container \"{config.Name}\" of pod {sandbox.Pod}: CPU limit {config.CpuLimitMillicores}m must be positive", nameof(config));
        if (config.MemoryLimitBytes is <= 0)
            throw new ArgumentException($"container \"{config.Name}\" of pod {sandbox.Pod}: memory limit {config.MemoryLimitBytes} bytes must be positive", nameof(config));
        ArgumentOutOfRangeException.ThrowIfNegative(config.RestartCount);

        var memory = config.MemoryLimitBytes ?? 0;
        var parameters = new CreateContainerParameters
        {
            Name = EngineName(sandbox.Pod, config.Name, config.RestartCount),
            Image = config.Image,
            // Kubernetes semantics: command replaces the entrypoint (and with it the image's cmd), args replace the cmd.
            Entrypoint = config.Command is { Count: > 0 } command ? [.. command] : null,
            Cmd = config.Args is { Count: > 0 } args ? [.. args] : null,
            WorkingDir = string.IsNullOrEmpty(config.WorkingDir) ? null : config.WorkingDir,
            Env = config.Env is { Count: > 0 } env ? [.. env.Select(v => $"{v.Name}={v.Value}")] : null,
            Labels = Labels(config.Labels, sandbox.Pod, config.Name, ContainerLabels.AppKind, config.RestartCount),
            HostConfig = new HostConfig
            {
                NetworkMode = $"container:{sandbox.Id}",
                IpcMode = $"container:{sandbox.Id}",
                Init = true,
                NanoCPUs = (config.CpuLimitMillicores ?? 0) * 1_000_000,
                Memory = memory,
                // No swap beyond the limit, as in Kubernetes.
                MemorySwap = memory,
            },
        };

        try
        {
            return (await _client.Containers.CreateContainerAsync(parameters, cancellationToken)).ID;
        }
        catch (DockerImageNotFoundException e)
        {
            throw new ImageNotFoundException(config.Image, EngineErrors.MessageOf(e), e);
        }
        catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            throw new CreateContainerException(config.Name, EngineErrors.MessageOf(e), e);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            var message = EngineErrors.MessageOf(e);
            if (e is DockerApiException)
                throw new CreateContainerException(config.Name, message, e);
            throw EngineErrors.Unexpected($"cannot create container \"{config.Name}\" of pod {sandbox.Pod}", e);
        }
    }

    /// <inheritdoc />
    public async Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            var inspect = await _client.Containers.InspectContainerAsync(containerId, cancellationToken);
            if (inspect.State.Running)
                return;

            // With the engine's init as PID 1 a missing command is not a start error any more: the init
            // fails to exec it and exits 127. Check first, so it surfaces as RunContainerError as without init.
            if (await FindMissingExecutableAsync(inspect, cancellationToken) is { } missing)
                throw new StartContainerException(containerId, missing);

            await _client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken);
        }
        catch (DockerContainerNotFoundException e)
        {
            throw new ContainerNotFoundException(containerId, e);
        }
        catch (DockerApiException e)
        {
            throw new StartContainerException(containerId, EngineErrors.MessageOf(e), e);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot start container {StartContainerException.ShortId(containerId)}", e);
        }
    }

    /// <inheritdoc />
    public async Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        var seconds = (uint)Math.Min(uint.MaxValue, Math.Ceiling(gracePeriod.TotalSeconds));
        try
        {
            // The engine sends the stop signal, waits, then SIGKILLs; Docker.DotNet sends this request
            // without a client timeout, so a long grace period is not cut short.
            await _client.Containers.StopContainerAsync(containerId, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, cancellationToken);
        }
        catch (DockerContainerNotFoundException e)
        {
            throw new ContainerNotFoundException(containerId, e);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot stop container {StartContainerException.ShortId(containerId)}", e);
        }
    }

    /// <inheritdoc />
    public async Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            await _client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone.
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict && EngineErrors.MessageOf(e).Contains("already in progress", StringComparison.OrdinalIgnoreCase))
        {
            // Someone else is removing it.
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot remove container {StartContainerException.ShortId(containerId)}", e);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(IReadOnlyDictionary<string, string> labelFilter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labelFilter);
        var ids = await ListIdsAsync(labelFilter, cancellationToken);
        var statuses = new ContainerStatus?[ids.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, ids.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.InspectConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                try
                {
                    statuses[i] = ToStatus(await _client.Containers.InspectContainerAsync(ids[i], ct));
                }
                catch (DockerContainerNotFoundException)
                {
                    // Removed between listing and inspecting: not there any more.
                }
                catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, ct))
                {
                    throw EngineErrors.Unexpected($"cannot inspect container {StartContainerException.ShortId(ids[i])}", e);
                }
            });
        return [.. statuses.OfType<ContainerStatus>().OrderBy(s => s.CreatedAt)];
    }

    /// <inheritdoc />
    public async Task<ContainerDetails> InspectContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ContainerInspectResponse inspect;
        try
        {
            inspect = await _client.Containers.InspectContainerAsync(containerId, cancellationToken);
        }
        catch (DockerContainerNotFoundException e)
        {
            throw new ContainerNotFoundException(containerId, e);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot inspect container {StartContainerException.ShortId(containerId)}", e);
        }

        return new ContainerDetails(
            ToStatus(inspect),
            [.. inspect.Config.Entrypoint ?? []],
            [.. inspect.Config.Cmd ?? []],
            inspect.Config.WorkingDir ?? "",
            [.. inspect.Config.Env ?? []],
            inspect.HostConfig.NanoCPUs,
            inspect.HostConfig.Memory,
            inspect.HostConfig.NetworkMode ?? "",
            inspect.HostConfig.Init ?? false);
    }

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
                    yield return ToLogLine(kind, line, options.Timestamps);
            }

            if (stdout.Flush() is { } lastOut)
                yield return ToLogLine(LogSource.Stdout, lastOut, options.Timestamps);
            if (stderr.Flush() is { } lastErr)
                yield return ToLogLine(LogSource.Stderr, lastErr, options.Timestamps);
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

    public void Dispose()
    {
        _client.Dispose();
        _configuration.Dispose();
    }

    private async Task<bool> IsImagePresentAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.BadRequest)
        {
            var message = EngineErrors.MessageOf(e);
            throw new ImagePullException(image, RuntimeErrorReasons.InvalidImageName, $"invalid image name \"{image}\": {message}", message, e);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot look up image \"{image}\"", e);
        }
    }

    private async Task<IReadOnlyList<string>> ListIdsAsync(IReadOnlyDictionary<string, string> labelFilter, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, bool>(StringComparer.Ordinal) { [$"{ContainerLabels.Node}={_options.NodeName}"] = true };
        foreach (var (key, value) in labelFilter)
            labels[$"{key}={value}"] = true;
        try
        {
            var containers = await _client.Containers.ListContainersAsync(
                new ContainersListParameters { All = true, Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels } },
                cancellationToken);
            return [.. containers.Select(c => c.ID)];
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected("cannot list containers", e);
        }
    }

    /// <summary>
    /// The runc-style error for a container whose program does not exist, or null when it exists or
    /// cannot be checked (then the start itself tells).
    /// </summary>
    private async Task<string?> FindMissingExecutableAsync(ContainerInspectResponse inspect, CancellationToken cancellationToken)
    {
        var program = inspect.Path;
        if (string.IsNullOrEmpty(program))
            return null;

        IEnumerable<string> candidates;
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var workingDir = string.IsNullOrEmpty(inspect.Config.WorkingDir) ? "/" : inspect.Config.WorkingDir;
            candidates = [program.StartsWith('/') ? program : $"{workingDir.TrimEnd('/')}/{program}"];
        }
        else
        {
            var path = inspect.Config.Env?.FirstOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?["PATH=".Length..] ?? DefaultPath;
            candidates = path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => $"{dir.TrimEnd('/')}/{program}");
        }

        foreach (var candidate in candidates)
        {
            try
            {
                var found = await _client.Containers.GetArchiveFromContainerAsync(
                    inspect.ID, new GetArchiveFromContainerParameters { Path = candidate }, true, cancellationToken);
                found.Stream?.Dispose();
                const uint goModeDir = 1u << 31;
                if (found.Stat is null || (found.Stat.Mode & goModeDir) == 0)
                    return null;
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // Not in this directory.
            }
            catch (Exception e) when (EngineErrors.IsEngineFailure(e))
            {
                return null;
            }
        }

        return program.Contains('/', StringComparison.Ordinal)
            ? $"exec: \"{program}\": stat {program}: no such file or directory"
            : $"exec: \"{program}\": executable file not found in $PATH";
    }

    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.RequestTimeout);
            await _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, timeout.Token);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || e is OperationCanceledException)
        {
            // Best effort: the caller reports the original failure.
        }
    }

    private Dictionary<string, string> Labels(IReadOnlyDictionary<string, string>? extra, PodIdentity pod, string containerName, string kind, int restartCount)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                if (!ContainerLabels.IsReserved(key))
                    labels[key] = value;
            }
        }

        labels[ContainerLabels.Node] = _options.NodeName;
        labels[ContainerLabels.PodNamespace] = pod.Namespace;
        labels[ContainerLabels.PodName] = pod.Name;
        labels[ContainerLabels.PodUid] = pod.Uid;
        labels[ContainerLabels.ContainerName] = containerName;
        labels[ContainerLabels.ContainerKind] = kind;
        labels[ContainerLabels.RestartCount] = restartCount.ToString(CultureInfo.InvariantCulture);
        return labels;
    }

    private string EngineName(PodIdentity pod, string containerName, int attempt)
    {
        var name = $"orch_{_options.NodeName}_{pod.Namespace}_{pod.Name}_{containerName}_{pod.Uid}_{attempt.ToString(CultureInfo.InvariantCulture)}";
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-');
        return builder.ToString();
    }

    private static string Hostname(string podName)
    {
        var hostname = podName.Length > 63 ? podName[..63] : podName;
        return hostname.TrimEnd('-', '.');
    }

    private static void ValidatePod(PodIdentity pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (string.IsNullOrWhiteSpace(pod.Namespace) || string.IsNullOrWhiteSpace(pod.Name) || string.IsNullOrWhiteSpace(pod.Uid))
            throw new ArgumentException($"pod {pod}: namespace, name and uid must all be non-empty", nameof(pod));
    }

    private string? IpAddressOf(ContainerInspectResponse inspect)
    {
        var networks = inspect.NetworkSettings?.Networks;
        if (networks is not null && networks.TryGetValue(_options.Network, out var mine) && !string.IsNullOrEmpty(mine.IPAddress))
            return mine.IPAddress;
        return networks?.Values.Select(n => n.IPAddress).FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
    }

    private ContainerStatus ToStatus(ContainerInspectResponse inspect)
    {
        var labels = (IReadOnlyDictionary<string, string>)(inspect.Config.Labels is { } l
            ? new Dictionary<string, string>(l, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal));
        var pod = labels.TryGetValue(ContainerLabels.PodNamespace, out var ns) &&
                  labels.TryGetValue(ContainerLabels.PodName, out var podName) &&
                  labels.TryGetValue(ContainerLabels.PodUid, out var uid)
            ? new PodIdentity(ns, podName, uid)
            : null;
        var state = inspect.State.Status switch
        {
            "created" => ContainerState.Created,
            "running" or "paused" or "restarting" => ContainerState.Running,
            "exited" or "dead" or "removing" => ContainerState.Exited,
            _ => ContainerState.Unknown,
        };
        var startedAt = DockerTime.Parse(inspect.State.StartedAt);
        var finishedAt = state == ContainerState.Running ? null : DockerTime.Parse(inspect.State.FinishedAt);
        // The engine stamps StartedAt once the start call completes; a process that exits at once can
        // have finished "before" that. Never report a finish before the start.
        if (startedAt is { } started && finishedAt < started)
            finishedAt = started;
        return new ContainerStatus(
            inspect.ID,
            labels.GetValueOrDefault(ContainerLabels.ContainerName) ?? inspect.Name.TrimStart('/'),
            labels.GetValueOrDefault(ContainerLabels.ContainerKind) == ContainerLabels.SandboxKind ? ContainerKind.Sandbox : ContainerKind.App,
            pod,
            inspect.Config.Image,
            state,
            (int)inspect.State.ExitCode,
            DockerTime.FromEngine(inspect.Created),
            startedAt,
            finishedAt,
            int.TryParse(labels.GetValueOrDefault(ContainerLabels.RestartCount), NumberStyles.None, CultureInfo.InvariantCulture, out var restarts) ? restarts : 0,
            inspect.State.OOMKilled,
            string.IsNullOrEmpty(inspect.State.Error) ? null : inspect.State.Error,
            IpAddressOf(inspect),
            labels);
    }

    private static LogLine ToLogLine(LogSource stream, string line, bool timestamps)
    {
        if (!timestamps)
            return new LogLine(stream, line);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && DockerTime.Parse(line[..space]) is { } at
            ? new LogLine(stream, line[(space + 1)..], at)
            : new LogLine(stream, line);
    }

    /// <summary>Docker.DotNet reports its own request timeout as a cancellation the caller did not ask for.</summary>
    private static bool IsTimeout(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && !cancellationToken.IsCancellationRequested;

    /// <summary>Records pull progress synchronously (<see cref="Progress{T}"/> would report on the thread pool, after the pull returned).</summary>
    private sealed class PullProgress : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            var error = value.Error?.Message is { Length: > 0 } message ? message : value.ErrorMessage;
            if (!string.IsNullOrEmpty(error))
                Error ??= error;
        }
    }

    /// <summary>Keeps the first <c>limit</c> bytes of an output stream.</summary>
    private sealed class BoundedOutput(int limit)
    {
        private readonly ArrayBufferWriter<byte> _bytes = new();

        public void Append(ReadOnlySpan<byte> chunk)
        {
            var room = limit - _bytes.WrittenCount;
            if (room > 0)
                _bytes.Write(chunk[..Math.Min(room, chunk.Length)]);
        }

        public override string ToString() => Encoding.UTF8.GetString(_bytes.WrittenSpan);
    }
}
