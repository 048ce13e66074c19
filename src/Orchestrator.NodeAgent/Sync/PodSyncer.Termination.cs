using System.Text.Json.Nodes;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>The termination part of a sync: graceful stop of a deleted pod.</summary>
public sealed partial class PodSyncer
{
    /// <summary>Graceful deletion: SIGTERM, SIGKILL after the grace period, remove, then delete the pod for good.</summary>
    private async Task Terminate(JsonObject pod, List<ContainerStatus> mine, CancellationToken ct)
    {
        var grace = PodSpecMapping.GracePeriod(pod);
        var running = mine.Where(c => c.Kind == ContainerKind.App && c.State == ContainerState.Running).ToList();
        foreach (var c in running) _events.Normal(pod, c.Name, "Killing", $"Stopping container {c.Name}");
        await Task.WhenAll(running.Select(c => StopQuietly(c.Id, grace, ct)));
        await RemoveAll(mine, ct);
        try
        {
            await _store.Delete(PodKind.Instance, pod.Namespace(), pod.Name(), new DeleteRequest(PreconditionUid: pod.Uid(), GracePeriodSeconds: 0), ct);
        }
        catch (ApiErrorException e) when (e.Error.Code is 404 or 409)
        {
        }
    }

    private async Task StopQuietly(string id, TimeSpan grace, CancellationToken ct)
    {
        try
        {
            await _runtime.StopContainerAsync(id, grace, ct);
        }
        catch (ContainerNotFoundException)
        {
        }
    }
}
