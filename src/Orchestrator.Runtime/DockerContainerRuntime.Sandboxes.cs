using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>Pod sandboxes: the container that holds a pod's network (and its host ports), created, started and removed with its members.</summary>
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
                // The engine writes these into the sandbox's resolv.conf, which its app containers
                // (network mode container:<sandbox>) share. On a user-defined network it writes
                // nameserver 127.0.0.11, its embedded DNS, which forwards to these nameservers.
                DNS = config.Dns is { Nameservers.Count: > 0 } dns ? [.. dns.Nameservers] : null,
                DNSSearch = config.Dns is { Searches.Count: > 0 } search ? [.. search.Searches] : null,
                DNSOptions = config.Dns is { Options.Count: > 0 } options ? [.. options.Options] : null,
            },
        };

        try
        {
            return await CreateOnPodNetworkAsync(parameters, cancellationToken);
        }
        catch (ContainerRuntimeException e)
        {
            throw new PodSandboxException(config.Pod, $"cannot create the sandbox of pod {config.Pod}: {e.Message}", e.EngineMessage, e);
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
}
