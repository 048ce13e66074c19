using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>Listing and inspecting the node's containers by label, with spare sandboxes attributed to the pod that joined them.</summary>
public sealed partial class DockerContainerRuntime
{
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
}
