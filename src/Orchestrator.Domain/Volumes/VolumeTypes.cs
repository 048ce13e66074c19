namespace Orchestrator.Domain.Volumes;

/// <summary>The volume sources this orchestrator mounts, and the rules Kubernetes gives their fields.</summary>
public static class VolumeTypes
{
    /// <summary>The volume sources supported here, as named in a pod spec's <c>volumes[]</c>.</summary>
    public static readonly string[] Supported = ["emptyDir", "hostPath", "configMap", "secret", "downwardAPI", "projected"];

    /// <summary>Every other source Kubernetes knows: refused with a clear message instead of a pod that never starts.</summary>
    public static readonly string[] Unsupported =
    [
        "persistentVolumeClaim", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs",
        "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
        "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image",
    ];

    /// <summary>The <c>hostPath.type</c> values Kubernetes accepts ("" checks nothing).</summary>
    public static readonly string[] HostPathTypes = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"];

    /// <summary>The downward API fields a volume file may hold (Kubernetes' list, less what needs the spec's resources).</summary>
    public static readonly string[] DownwardFields = ["metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels", "metadata.annotations"];

    /// <summary>Whether <paramref name="path"/> is a downward API field a volume file may hold (also <c>metadata.labels['key']</c>, <c>metadata.annotations['key']</c>).</summary>
    public static bool IsDownwardField(string path) =>
        DownwardFields.Contains(path)
        || (path.StartsWith("metadata.labels['", StringComparison.Ordinal) || path.StartsWith("metadata.annotations['", StringComparison.Ordinal)) && path.EndsWith("']", StringComparison.Ordinal);

    /// <summary>The default file mode of configMap, secret, downwardAPI and projected volumes (0644).</summary>
    public const int DefaultMode = 420;

    /// <summary>
    /// Why <paramref name="path"/> may not be a file path inside a volume (or a subPath), or null:
    /// it must be relative, and no element may be "..", as Kubernetes requires.
    /// </summary>
    public static string? BadRelativePath(string path)
    {
        if (path.Length == 0) return "must not be empty";
        if (path.StartsWith('/')) return "must be a relative path";
        if (path.Split('/').Contains("..")) return "must not contain '..'";
        return null;
    }
}
