using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>Spare sandboxes: warm pod networks made ahead of pods (see SandboxPool in the node agent).</summary>
public sealed partial class DockerContainerRuntime
{
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
            id = await CreateOnPodNetworkAsync(parameters, cancellationToken);
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
}
