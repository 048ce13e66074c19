using Orchestrator.Domain.Volumes;

namespace Orchestrator.NodeAgent.Volumes;

/// <summary>
/// The node's file system as pod volumes use it: folders, files with modes, symbolic links, an
/// atomic rename and tmpfs mounts. <see cref="HostFileSystem"/> is the real one; tests use an
/// in-memory one (TestSupport's InMemoryVolumeFileSystem). Paths are absolute.
/// </summary>
public interface IVolumeFileSystem
{
    /// <summary>What is at <paramref name="path"/>, following symbolic links (as kubelet's hostPath check does).</summary>
    HostPathKind KindOf(string path);

    /// <summary>The target of the symbolic link at <paramref name="path"/> as written; null when there is no link there.</summary>
    string? ReadLink(string path);

    /// <summary>Creates the folder and its missing parents with <paramref name="mode"/>; nothing when it exists.</summary>
    void CreateDirectory(string path, int mode);

    /// <summary>Creates or replaces a file with <paramref name="content"/> and <paramref name="mode"/> (permission bits).</summary>
    void WriteFile(string path, byte[] content, int mode);

    /// <summary>A file's content, following links; null when there is none.</summary>
    byte[]? ReadFile(string path);

    /// <summary>A file's permission bits, following links; null when there is none.</summary>
    int? ModeOf(string path);

    /// <summary>Creates a symbolic link at <paramref name="path"/> pointing to <paramref name="target"/> (kept as given, usually relative).</summary>
    void CreateSymlink(string path, string target);

    /// <summary>Renames in one step, replacing what is at <paramref name="to"/> (a link or a file): readers see the old or the new, never neither.</summary>
    void Rename(string from, string to);

    /// <summary>The names in a folder (nothing when it does not exist).</summary>
    IReadOnlyList<string> List(string directory);

    /// <summary>Removes a file, a link (not what it points to) or a folder with everything in it; nothing when it is missing.</summary>
    void Delete(string path);

    /// <summary>Whether a file system is mounted at <paramref name="path"/>.</summary>
    bool IsMountPoint(string path);

    /// <summary>Mounts a tmpfs (memory-backed) at the existing folder <paramref name="path"/>, of at most <paramref name="sizeBytes"/> when given.</summary>
    void MountTmpfs(string path, long? sizeBytes);

    /// <summary>Unmounts what is mounted at <paramref name="path"/>.</summary>
    void Unmount(string path);
}
