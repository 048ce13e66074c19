using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>Pod sandboxes and the containers in them.</summary>
public sealed partial class DockerContainerRuntime
{
    /// <inheritdoc />
    public async Task<PodSandbox> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken)
    {
        var id = await CreatePodSandboxAsync(config, cancellationToken);
        return await StartPodSandboxAsync(id, config, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string> CreatePodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken)
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
            throw new PodSandboxException(
                config.Pod,
                $"cannot create the sandbox of pod {config.Pod}: the sandbox image \"{_options.SandboxImage}\" is missing " +
                $"(scripts/setup.sh builds orchestrator/pause:latest): {e.Message}",
                e.EngineMessage,
                e);
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
            Name = EngineMapping.EngineName(_options.NodeName, config.Pod, ContainerLabels.SandboxContainerName, config.Attempt),
            Image = _options.SandboxImage,
            Hostname = EngineMapping.Hostname(config.Pod.Name),
            Labels = EngineMapping.Labels(_options.NodeName, config.Labels, config.Pod, ContainerLabels.SandboxContainerName, ContainerLabels.SandboxKind, config.Attempt),
            ExposedPorts = exposed,
            HostConfig = new HostConfig
            {
                NetworkMode = _options.Network,
                PortBindings = bindings,
                IpcMode = "shareable",
            },
        };

        try
        {
            return (await _client.Containers.CreateContainerAsync(parameters, cancellationToken)).ID;
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            if (e is DockerImageNotFoundException)
                ForgetImage(_options.SandboxImage);
            var message = EngineErrors.MessageOf(e);
            throw new PodSandboxException(config.Pod, $"cannot create the sandbox of pod {config.Pod}: {message}", message, e);
        }
    }

    /// <inheritdoc />
    public async Task<PodSandbox> StartPodSandboxAsync(string sandboxId, PodSandboxConfig config, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxId);
        ArgumentNullException.ThrowIfNull(config);
        var id = sandboxId;
        try
        {
            await _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            var inspect = await _client.Containers.InspectContainerAsync(id, cancellationToken);
            var ip = EngineMapping.IpAddressOf(inspect, _options.Network);
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
    public async Task<SpareSandbox> RunSpareSandboxAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureImageAsync(_options.SandboxImage, ImagePullPolicy.IfNotPresent, cancellationToken);
        }
        catch (ImagePullException e)
        {
            throw new ContainerRuntimeException(e.Reason, $"cannot create a spare sandbox: the sandbox image \"{_options.SandboxImage}\" is missing: {e.Message}", e.EngineMessage, e);
        }

        var parameters = new CreateContainerParameters
        {
            Name = EngineMapping.SpareName(_options.NodeName, Guid.NewGuid().ToString("N")),
            Image = _options.SandboxImage,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ContainerLabels.Node] = _options.NodeName,
                [ContainerLabels.ContainerName] = ContainerLabels.SandboxContainerName,
                [ContainerLabels.ContainerKind] = ContainerLabels.SandboxKind,
                [ContainerLabels.Spare] = "true",
            },
            HostConfig = new HostConfig { NetworkMode = _options.Network, IpcMode = "shareable" },
        };
        string? id = null;
        try
        {
            id = (await _client.Containers.CreateContainerAsync(parameters, cancellationToken)).ID;
            await _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            var inspect = await _client.Containers.InspectContainerAsync(id, cancellationToken);
            var ip = EngineMapping.IpAddressOf(inspect, _options.Network);
            if (!inspect.State.Running || string.IsNullOrEmpty(ip))
                throw new ContainerRuntimeException(RuntimeErrorReasons.CreatePodSandboxError, $"the spare sandbox started but is {inspect.State.Status} without an IP address", inspect.State.Error);
            return new SpareSandbox(id, ip);
        }
        catch (Exception e) when (e is ContainerRuntimeException || EngineErrors.IsEngineFailure(e) || e is OperationCanceledException)
        {
            if (id is not null)
                await RemoveQuietlyAsync(id);
            if (e is ContainerRuntimeException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
                throw;
            throw EngineErrors.Unexpected("cannot run a spare sandbox", e);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SpareSandbox>> ListFreeSpareSandboxesAsync(CancellationToken cancellationToken)
    {
        IList<ContainerListResponse> all;
        try
        {
            // The list answer carries labels, state and addresses: no inspect needed.
            all = await _client.Containers.ListContainersAsync(
                new ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Node}={_options.NodeName}"] = true } },
                },
                cancellationToken);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected("cannot list containers", e);
        }

        static string? Label(ContainerListResponse c, string key) => c.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;
        var joined = all.Select(c => Label(c, ContainerLabels.SandboxId)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var free = new List<SpareSandbox>();
        foreach (var spare in all.Where(c => Label(c, ContainerLabels.Spare) == "true" && !joined.Contains(c.ID)).OrderBy(c => c.Created))
        {
            var ip = spare.NetworkSettings?.Networks is { } networks && networks.TryGetValue(_options.Network, out var network) ? network.IPAddress : null;
            if (spare.State == "running" && !string.IsNullOrEmpty(ip))
                free.Add(new SpareSandbox(spare.ID, ip));
            // One that exited is of no use. One only created may be being started right now (by the
            // pool that made it): only one left that way for a minute is removed.
            else if (spare.State is "exited" or "dead" || (spare.State == "created" && DateTime.UtcNow - spare.Created.ToUniversalTime() > TimeSpan.FromMinutes(1)))
                await RemoveContainerAsync(spare.ID, cancellationToken);
        }
        return free;
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

        // The sandbox goes first: were the members removed first and the agent stopped in between, a
        // spare sandbox would be joined by no one and look free again.
        await RemoveContainerAsync(sandbox.ID, cancellationToken);
        var members = new HashSet<string>(await ListIdsAsync(
            new Dictionary<string, string> { [ContainerLabels.SandboxId] = sandbox.ID, [ContainerLabels.ContainerKind] = ContainerLabels.AppKind },
            cancellationToken), StringComparer.Ordinal);
        if (labels.TryGetValue(ContainerLabels.PodUid, out var uid))
        {
            members.UnionWith(await ListIdsAsync(
                new Dictionary<string, string> { [ContainerLabels.PodUid] = uid, [ContainerLabels.ContainerKind] = ContainerLabels.AppKind },
                cancellationToken));
        }
        foreach (var member in members)
            await RemoveContainerAsync(member, cancellationToken);
    }

    /// <inheritdoc />
    public Task<string> CreateContainerAsync(PodSandbox sandbox, ContainerConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return CreateContainerAsync(sandbox.Id, sandbox.Pod, config, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string> CreateContainerAsync(string sandboxId, PodIdentity pod, ContainerConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxId);
        ValidatePod(pod);
        if (string.IsNullOrWhiteSpace(config.Name) || config.Name == ContainerLabels.SandboxContainerName)
            throw new ArgumentException($"container name \"{config.Name}\" of pod {pod}: must be non-empty and not \"{ContainerLabels.SandboxContainerName}\"", nameof(config));
        if (string.IsNullOrWhiteSpace(config.Image))
            throw new ArgumentException($"container \"{config.Name}\" of pod {pod}: image is empty", nameof(config));
        if (config.CpuLimitMillicores is <= 0)
            throw new ArgumentException($"container \"{config.Name}\" of pod {pod}: CPU limit {config.CpuLimitMillicores}m must be positive", nameof(config));
        if (config.MemoryLimitBytes is <= 0)
            throw new ArgumentException($"container \"{config.Name}\" of pod {pod}: memory limit {config.MemoryLimitBytes} bytes must be positive", nameof(config));
        ArgumentOutOfRangeException.ThrowIfNegative(config.RestartCount);

        var memory = config.MemoryLimitBytes ?? 0;
        var labels = EngineMapping.Labels(_options.NodeName, config.Labels, pod, config.Name, ContainerLabels.AppKind, config.RestartCount);
        labels[ContainerLabels.SandboxId] = sandboxId;
        var parameters = new CreateContainerParameters
        {
            Name = EngineMapping.EngineName(_options.NodeName, pod, config.Name, config.RestartCount),
            Image = config.Image,
            // Kubernetes semantics: command replaces the entrypoint (and with it the image's cmd), args replace the cmd.
            Entrypoint = config.Command is { Count: > 0 } command ? [.. command] : null,
            Cmd = config.Args is { Count: > 0 } args ? [.. args] : null,
            WorkingDir = string.IsNullOrEmpty(config.WorkingDir) ? null : config.WorkingDir,
            Env = config.Env is { Count: > 0 } env ? [.. env.Select(v => $"{v.Name}={v.Value}")] : null,
            Labels = labels,
            HostConfig = new HostConfig
            {
                NetworkMode = $"container:{sandboxId}",
                IpcMode = $"container:{sandboxId}",
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
            ForgetImage(config.Image);
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
            throw EngineErrors.Unexpected($"cannot create container \"{config.Name}\" of pod {pod}", e);
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
                    statuses[i] = EngineMapping.ToStatus(await _client.Containers.InspectContainerAsync(ids[i], ct), _options.Network);
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
        var result = statuses.OfType<ContainerStatus>().ToList();

        // A spare sandbox carries no pod labels: it is the sandbox of the pod whose app containers join it.
        var owners = new Dictionary<string, PodIdentity>(StringComparer.Ordinal);
        foreach (var app in result.Where(s => s is { Kind: ContainerKind.App, Pod: not null }))
        {
            if (app.Labels.TryGetValue(ContainerLabels.SandboxId, out var sandboxId))
                owners.TryAdd(sandboxId, app.Pod!);
        }
        if (owners.Count > 0)
        {
            for (var i = 0; i < result.Count; i++)
            {
                if (result[i] is { Kind: ContainerKind.Sandbox, Pod: null } spare && owners.TryGetValue(spare.Id, out var owner))
                    result[i] = spare with { Pod = owner };
            }
            var listed = result.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var (sandboxId, owner) in owners.Where(o => !listed.Contains(o.Key)))
            {
                try
                {
                    var status = EngineMapping.ToStatus(await _client.Containers.InspectContainerAsync(sandboxId, cancellationToken), _options.Network);
                    if (status.Labels.GetValueOrDefault(ContainerLabels.Spare) == "true" && status.Labels.GetValueOrDefault(ContainerLabels.Node) == _options.NodeName)
                        result.Add(status with { Pod = owner });
                }
                catch (DockerContainerNotFoundException)
                {
                    // Gone: the pod's containers are left without a sandbox, as after any sandbox's death.
                }
                catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
                {
                    throw EngineErrors.Unexpected($"cannot inspect sandbox {StartContainerException.ShortId(sandboxId)}", e);
                }
            }
        }
        return [.. result.OrderBy(s => s.CreatedAt)];
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

        return EngineMapping.ToDetails(inspect, _options.Network);
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

        var workingDir = string.IsNullOrEmpty(inspect.Config.WorkingDir) ? "/" : inspect.Config.WorkingDir;
        var path = inspect.Config.Env?.FirstOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?["PATH=".Length..] ?? DefaultPath;
        var cacheKey = $"{inspect.Image}\n{program}\n{path}\n{workingDir}";
        if (_foundExecutables.ContainsKey(cacheKey))
            return null;

        IEnumerable<string> candidates = program.Contains('/', StringComparison.Ordinal)
            ? [program.StartsWith('/') ? program : $"{workingDir.TrimEnd('/')}/{program}"]
            : path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => $"{dir.TrimEnd('/')}/{program}");

        foreach (var candidate in candidates)
        {
            try
            {
                var found = await _client.Containers.GetArchiveFromContainerAsync(
                    inspect.ID, new GetArchiveFromContainerParameters { Path = candidate }, true, cancellationToken);
                found.Stream?.Dispose();
                const uint goModeDir = 1u << 31;
                if (found.Stat is null)
                    return null;
                if ((found.Stat.Mode & goModeDir) == 0)
                {
                    // The image's file, not a mount: the same image and command will find it again.
                    if (inspect.Mounts is not { Count: > 0 } && !string.IsNullOrEmpty(inspect.Image))
                        _foundExecutables[cacheKey] = 0;
                    return null;
                }
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
}
