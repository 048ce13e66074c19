using Orchestrator.Cluster.Logs;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Logs;

/// <summary>Reads the logs of a pod's container from this member's engine (the node agent's containers only).</summary>
public sealed class PodLogReader(IContainerRuntime runtime)
{
    /// <summary>
    /// Finds the container run the request means (the current one, or the one before it with
    /// <see cref="PodLogRequest.Previous"/>) and returns its lines; throws <see cref="ApiErrorException"/>
    /// (400, as Kubernetes answers) when there is none yet.
    /// </summary>
    public async Task<IAsyncEnumerable<string>> OpenAsync(PodLogRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var runs = (await runtime.ListContainersAsync(new Dictionary<string, string>
        {
            [ContainerLabels.PodNamespace] = request.Namespace,
            [ContainerLabels.PodName] = request.Pod,
            [ContainerLabels.PodUid] = request.Uid,
            [ContainerLabels.ContainerName] = request.Container,
        }, ct)).Where(c => c.Kind == ContainerKind.App).OrderBy(c => c.RestartCount).ThenBy(c => c.CreatedAt).ToList();
        var run = request.Previous ? (runs.Count > 1 ? runs[^2] : null) : runs.LastOrDefault();
        if (run is null)
        {
            throw new ApiErrorException(request.Previous
                ? ApiError.BadRequest($"previous terminated container \"{request.Container}\" in pod \"{request.Pod}\" not found")
                : ApiError.BadRequest($"container \"{request.Container}\" in pod \"{request.Pod}\" is waiting to start: ContainerCreating"));
        }
        var options = new LogOptions(Follow: request.Follow && !request.Previous, TailLines: request.TailLines, Timestamps: request.Timestamps);
        return Lines(run.Id, options, ct);
    }

    private async IAsyncEnumerable<string> Lines(string containerId, LogOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var line in runtime.GetLogsAsync(containerId, options, ct))
            yield return line.Timestamp is { } at ? ObjectMeta.FormatTime(at) + " " + line.Text : line.Text;
    }
}
