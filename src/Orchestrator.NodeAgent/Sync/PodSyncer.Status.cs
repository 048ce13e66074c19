using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.NodeAgent;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>The pod status part of a sync: the status observed from the engine, written only when it changed.</summary>
public sealed partial class PodSyncer
{
    private async Task WriteStatusIfChanged(JsonObject pod, string ns, string name, PodSandbox? sandbox, List<ContainerObservation> observations, PodMemory memory, CancellationToken ct,
        IReadOnlyList<ContainerObservation>? initContainers = null, bool initialized = true)
    {
        var status = PodStatusBuilder.Build(pod["status"] as JsonObject, sandbox?.PodIp, _hostIp, observations, _time.GetUtcNow(), initContainers, initialized);
        // Fields the store derives (qosClass) are kept as they are, so an unchanged pod compares equal.
        if (pod["status"]?["qosClass"] is { } qos) status["qosClass"] = qos.DeepClone();
        if (!JsonNode.DeepEquals(status, pod["status"]))
        {
            var updated = (JsonObject)pod.DeepClone();
            updated["status"] = status;
            await _store.Replace(PodKind.Instance, ns, name, updated, Subresource.Status, ct);
        }
        if (memory.StartTimeline is { Done: false } timeline && observations.Count > 0 && observations.All(o => o.Current?.State == ContainerState.Running))
        {
            timeline.Mark("status", _time.GetUtcNow());
            _log.LogDebug("{Timeline}", timeline.Finish());
        }
    }
}
