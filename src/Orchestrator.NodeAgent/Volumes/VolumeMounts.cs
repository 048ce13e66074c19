using k8s.Models;
using Orchestrator.Domain.Volumes;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Volumes;

/// <summary>
/// A container's <c>volumeMounts</c> as the runtime's bind mounts: the volume's path on the node
/// (with the subPath appended), at <c>mountPath</c>, read-only when asked and always for
/// configMap, secret, downwardAPI and projected volumes, as in Kubernetes. Pure.
/// </summary>
public static class VolumeMounts
{
    /// <param name="container">The container.</param>
    /// <param name="paths">Where each volume of the pod is on the node (<see cref="PodVolumes.PathsOf"/>).</param>
    /// <param name="projected">The names of the pod's projected volumes.</param>
    /// <exception cref="VolumeSetupException">A mount names no volume of the pod.</exception>
    public static IReadOnlyList<VolumeMount> For(V1Container container, IReadOnlyDictionary<string, string> paths, IReadOnlySet<string> projected)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(projected);
        var mounts = new List<VolumeMount>();
        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (!paths.TryGetValue(mount.Name ?? "", out var host))
                throw new VolumeSetupException($"container {container.Name}: volume mount \"{mount.Name}\" names no volume of the pod");
            if (mount.SubPath is { Length: > 0 } subPath)
            {
                if (VolumeTypes.BadRelativePath(subPath) is { } problem) throw new VolumeSetupException($"container {container.Name}: subPath \"{subPath}\" {problem}");
                host = Path.Combine(host, subPath);
            }
            mounts.Add(new VolumeMount(host, mount.MountPath, mount.ReadOnlyProperty == true || projected.Contains(mount.Name ?? "")));
        }
        return mounts;
    }
}
