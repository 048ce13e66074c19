using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using Orchestrator.Domain.Volumes;
using Orchestrator.NodeAgent.Volumes;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>
/// The volumes part of a sync: set up (and refresh) the pod's volumes before its sandbox, report a
/// volume that cannot be set up as a FailedMount event (and in the containers' waiting message)
/// until it can, the containers' bind mounts, and removal with the pod.
/// </summary>
public sealed partial class PodSyncer
{
    /// <summary>Sets up or refreshes the pod's volumes; null when they are ready, else the FailedMount message.</summary>
    private async Task<string?> SetUpVolumes(JsonObject pod, PodMemory memory, CancellationToken ct)
    {
        if (PodVolumes.VolumesOf(pod).Count == 0) return null;
        if (_volumes is null) return "MountVolume.SetUp failed: this node agent has no local file system for volumes";
        var objects = new Dictionary<VolumeObjectRef, JsonObject>();
        foreach (var source in PodVolumes.SourcesOf(pod))
        {
            ResourceKind kind = source.Kind == "Secret" ? SecretKind.Instance : ConfigMapKind.Instance;
            if (await TryGet(kind, pod.Namespace(), source.Name, ct) is { } obj) objects[source] = obj;
        }
        try
        {
            _volumes.SetUp(pod, objects);
            memory.VolumeError = null;
            return null;
        }
        catch (VolumeSetupException e)
        {
            if (memory.VolumeError != e.Message)
            {
                memory.VolumeError = e.Message;
                _log.LogInformation("pod {Pod}: {Message}", $"{pod.Namespace()}/{pod.Name()}", e.Message);
                _events.Warning(pod, null, "FailedMount", e.Message);
            }
            return e.Message;
        }
    }

    /// <summary>The bind mounts of <paramref name="container"/>'s volumeMounts.</summary>
    private IReadOnlyList<VolumeMount>? MountsFor(JsonObject pod, V1Container container)
    {
        if (container.VolumeMounts is not { Count: > 0 }) return null;
        if (_volumes is null) throw new VolumeSetupException("this node agent has no local file system for volumes");
        var projected = PodVolumes.VolumesOf(pod).Where(VolumeProjection.IsProjected).Select(v => v.GetString("name") ?? "").ToHashSet(StringComparer.Ordinal);
        return VolumeMounts.For(container, _volumes.PathsOf(pod), projected);
    }

    /// <summary>Removes the volumes of the pods with these uids (their containers are gone).</summary>
    private void TearDownVolumes(IEnumerable<string?> uids)
    {
        if (_volumes is null) return;
        foreach (var uid in uids.Where(u => !string.IsNullOrEmpty(u)).Distinct(StringComparer.Ordinal))
        {
            try
            {
                _volumes.TearDown(uid!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning("could not remove the volumes of pod uid {Uid}: {Message}", uid, e.Message);
            }
        }
    }
}
