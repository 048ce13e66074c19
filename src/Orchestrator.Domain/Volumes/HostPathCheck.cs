namespace Orchestrator.Domain.Volumes;

/// <summary>What is at a path on the node, as far as a hostPath volume's type cares.</summary>
public enum HostPathKind
{
    Missing,
    Directory,
    File,
    Socket,
    CharDevice,
    BlockDevice,
    Other,
}

/// <summary>What the node agent must do for a hostPath volume before mounting it.</summary>
public enum HostPathAction
{
    /// <summary>Mount it as it is.</summary>
    Mount,

    /// <summary>Create the directory (mode 0755, with its parents), then mount it.</summary>
    CreateDirectory,

    /// <summary>Create an empty file (mode 0644; its folder must exist), then mount it.</summary>
    CreateFile,
}

/// <summary>
/// Kubernetes' hostPath type check: <c>""</c> checks nothing; <c>DirectoryOrCreate</c> and
/// <c>FileOrCreate</c> create what is missing; the others require the path to exist as that kind.
/// The messages are kubelet's.
/// </summary>
public static class HostPathCheck
{
    /// <exception cref="VolumeSetupException">The path is not what the type requires.</exception>
    public static HostPathAction Decide(string path, string? type, HostPathKind found)
    {
        ArgumentNullException.ThrowIfNull(path);
        return (type ?? "") switch
        {
            "" => HostPathAction.Mount,
            "DirectoryOrCreate" => found switch
            {
                HostPathKind.Missing => HostPathAction.CreateDirectory,
                HostPathKind.Directory => HostPathAction.Mount,
                _ => throw Failed(path, "is not a directory"),
            },
            "Directory" => found == HostPathKind.Directory ? HostPathAction.Mount : throw Failed(path, found == HostPathKind.Missing ? "does not exist" : "is not a directory"),
            "FileOrCreate" => found switch
            {
                HostPathKind.Missing => HostPathAction.CreateFile,
                HostPathKind.File => HostPathAction.Mount,
                _ => throw Failed(path, "is not a file"),
            },
            "File" => found == HostPathKind.File ? HostPathAction.Mount : throw Failed(path, found == HostPathKind.Missing ? "does not exist" : "is not a file"),
            "Socket" => found == HostPathKind.Socket ? HostPathAction.Mount : throw Failed(path, found == HostPathKind.Missing ? "does not exist" : "is not a socket file"),
            "CharDevice" => found == HostPathKind.CharDevice ? HostPathAction.Mount : throw Failed(path, found == HostPathKind.Missing ? "does not exist" : "is not a character device"),
            "BlockDevice" => found == HostPathKind.BlockDevice ? HostPathAction.Mount : throw Failed(path, found == HostPathKind.Missing ? "does not exist" : "is not a block device"),
            _ => throw new VolumeSetupException($"hostPath type \"{type}\" is not supported"),
        };
    }

    private static VolumeSetupException Failed(string path, string what) => new($"hostPath type check failed: {path} {what}");
}
