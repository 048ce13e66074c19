using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>App containers in a pod sandbox: create, start (with the missing-command check), stop, remove.</summary>
public sealed partial class DockerContainerRuntime
{
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
        foreach (var mount in config.Mounts ?? [])
        {
            if (!Path.IsPathRooted(mount.HostPath) || !mount.ContainerPath.StartsWith('/'))
                throw new ArgumentException($"container \"{config.Name}\" of pod {pod}: mount {mount.HostPath} -> {mount.ContainerPath} needs absolute paths", nameof(config));
        }

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
                CPUShares = config.CpuShares ?? 0,
                Memory = memory,
                // No swap beyond the limit, as in Kubernetes.
                MemorySwap = memory,
                Mounts = EngineMapping.Mounts(config.Mounts),
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
