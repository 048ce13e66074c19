using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;
using Orchestrator.Domain.Volumes;

namespace Orchestrator.NodeAgent.Volumes;

/// <summary>
/// The pod volumes of one node, under <c>{root}/{pod uid}/volumes/{volume name}</c> (root is
/// <c>orchestrator.node-agent.volumes-dir</c>, by default <c>{data-dir}/pods</c>):
/// <list type="bullet">
/// <item>emptyDir: a folder (mode 0777) shared by the pod's containers; <c>medium: Memory</c>
/// mounts a tmpfs there, of at most <c>sizeLimit</c>;</item>
/// <item>hostPath: the node's own path, checked and created by its type (<see cref="HostPathCheck"/>);</item>
/// <item>configMap, secret, downwardAPI, projected: files written by the <see cref="AtomicWriter"/>
/// from <see cref="VolumeProjection"/>, rewritten on every <see cref="SetUp"/> whose content changed.</item>
/// </list>
/// <see cref="TearDown"/> removes a pod's folder (unmounting its tmpfs first): volumes go with the pod.
/// </summary>
public sealed class PodVolumes(IVolumeFileSystem fs, string root, TimeProvider time)
{
    private readonly AtomicWriter _writer = new(fs, time);

    /// <summary>How often a running pod's configMap, secret, downwardAPI and projected files are compared with their objects and rewritten when they changed.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The folder all pods' volumes are under.</summary>
    public string Root { get; } = root;

    public string PodDirectory(string uid) => Path.Combine(Root, uid);

    public string VolumeDirectory(string uid, string volume) => Path.Combine(Root, uid, "volumes", volume);

    /// <summary>The pod's volumes (<c>spec.volumes</c>).</summary>
    public static IReadOnlyList<JsonObject> VolumesOf(JsonObject pod) =>
        (pod?["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToList();

    /// <summary>The ConfigMaps and Secrets the pod's volumes read.</summary>
    public static IReadOnlyList<VolumeObjectRef> SourcesOf(JsonObject pod) =>
        VolumesOf(pod).SelectMany(VolumeProjection.Sources).Distinct().ToList();

    /// <summary>Whether the pod has volumes whose files follow their objects (to be refreshed while it runs).</summary>
    public static bool HasProjected(JsonObject pod) => VolumesOf(pod).Any(VolumeProjection.IsProjected);

    /// <summary>Where each of the pod's volumes is on the node, by volume name (whether or not it is set up yet).</summary>
    public IReadOnlyDictionary<string, string> PathsOf(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var uid = pod.Uid() ?? "";
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in VolumesOf(pod))
        {
            var name = volume.GetString("name") ?? "";
            paths[name] = volume["hostPath"] is JsonObject host ? host.GetString("path") ?? "" : VolumeDirectory(uid, name);
        }
        return paths;
    }

    /// <summary>
    /// Sets up (or refreshes) every volume of <paramref name="pod"/>; <paramref name="objects"/>
    /// holds the <see cref="SourcesOf"/> that exist. Idempotent: a second call with nothing changed
    /// writes nothing.
    /// </summary>
    /// <exception cref="VolumeSetupException">A volume cannot be set up; the message is kubelet's FailedMount text naming it.</exception>
    public void SetUp(JsonObject pod, IReadOnlyDictionary<VolumeObjectRef, JsonObject> objects)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(objects);
        var uid = pod.Uid() ?? throw new ArgumentException("the pod has no uid", nameof(pod));
        var paths = PathsOf(pod);
        foreach (var volume in VolumesOf(pod))
        {
            var name = volume.GetString("name") ?? "";
            try
            {
                if (volume["emptyDir"] is JsonObject emptyDir) SetUpEmptyDir(VolumeDirectory(uid, name), emptyDir);
                else if (volume["hostPath"] is JsonObject hostPath) SetUpHostPath(hostPath);
                else if (VolumeProjection.IsProjected(volume)) _writer.Write(VolumeDirectory(uid, name), VolumeProjection.Files(pod, volume, objects));
            }
            catch (Exception e) when (e is VolumeSetupException or IOException or UnauthorizedAccessException)
            {
                throw new VolumeSetupException($"MountVolume.SetUp failed for volume \"{name}\" : {e.Message}");
            }
        }
        // A subPath of a folder volume is created when missing, as kubelet does.
        foreach (var (volume, subPath) in SubPaths(pod))
        {
            if (!paths.TryGetValue(volume, out var folder) || fs.KindOf(folder) != HostPathKind.Directory) continue;
            var path = Path.Combine(folder, subPath);
            if (fs.KindOf(path) == HostPathKind.Missing) fs.CreateDirectory(path, 0x1FF);
        }
    }

    private void SetUpEmptyDir(string folder, JsonObject emptyDir)
    {
        fs.CreateDirectory(folder, 0x1FF); // 0777: containers running as any user may write, as in Kubernetes
        if (emptyDir.GetString("medium") != "Memory" || fs.IsMountPoint(folder)) return;
        long? size = emptyDir["sizeLimit"] is { } limit && Quantities.TryParse(limit is JsonValue v && v.TryGetValue<string>(out var s) ? s : limit.ToJsonString(), out var bytes, out _) && bytes > 0
            ? (long)Math.Ceiling(bytes)
            : null;
        fs.MountTmpfs(folder, size);
    }

    private void SetUpHostPath(JsonObject hostPath)
    {
        var path = hostPath.GetString("path") ?? "";
        switch (HostPathCheck.Decide(path, hostPath.GetString("type"), fs.KindOf(path)))
        {
            case HostPathAction.CreateDirectory:
                fs.CreateDirectory(path, 0x1ED); // 0755
                break;
            case HostPathAction.CreateFile:
                fs.WriteFile(path, [], 0x1A4); // 0644
                break;
        }
    }

    private static IEnumerable<(string Volume, string SubPath)> SubPaths(JsonObject pod)
    {
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var container in (pod["spec"]?[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                foreach (var mount in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (mount.GetString("subPath") is { Length: > 0 } subPath && VolumeTypes.BadRelativePath(subPath) is null)
                        yield return (mount.GetString("name") ?? "", subPath);
                }
            }
        }
    }

    /// <summary>Removes the pod's volumes (tmpfs unmounted first); nothing when there are none. Host paths are never touched.</summary>
    public void TearDown(string uid)
    {
        ArgumentException.ThrowIfNullOrEmpty(uid);
        var folder = PodDirectory(uid);
        if (fs.KindOf(folder) == HostPathKind.Missing) return;
        var volumes = Path.Combine(folder, "volumes");
        foreach (var name in fs.List(volumes))
        {
            var path = Path.Combine(volumes, name);
            if (fs.IsMountPoint(path)) fs.Unmount(path);
        }
        fs.Delete(folder);
    }

    /// <summary>The uids of the pods that have volumes on this node.</summary>
    public IReadOnlyList<string> PodUids() => fs.List(Root);
}
