using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Orchestrator.Domain.Volumes;

namespace Orchestrator.NodeAgent.Volumes;

/// <summary>
/// The node's real file system for pod volumes: System.IO, plus rename(2), mount(2) and umount2(2)
/// from libc for the atomic link swap and tmpfs (the node agent runs as root, as kubelet does).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class HostFileSystem : IVolumeFileSystem
{
    public HostPathKind KindOf(string path)
    {
        // statx(2) has one layout on every architecture: stx_mode (16 bits) at offset 28.
        const int atFdCwd = -100;
        const uint statxType = 1;
        Span<byte> buffer = stackalloc byte[256];
        if (statx(atFdCwd, path, 0, statxType, ref MemoryMarshal.GetReference(buffer)) != 0) return HostPathKind.Missing;
        var mode = BitConverter.ToUInt16(buffer[28..30]) & 0xF000;
        return mode switch
        {
            0x8000 => HostPathKind.File,        // S_IFREG
            0x4000 => HostPathKind.Directory,   // S_IFDIR
            0xC000 => HostPathKind.Socket,      // S_IFSOCK
            0x2000 => HostPathKind.CharDevice,  // S_IFCHR
            0x6000 => HostPathKind.BlockDevice, // S_IFBLK
            _ => HostPathKind.Other,
        };
    }

    public string? ReadLink(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget;
    }

    public void CreateDirectory(string path, int mode)
    {
        if (Directory.Exists(path)) return;
        Directory.CreateDirectory(path, (UnixFileMode)mode);
        File.SetUnixFileMode(path, (UnixFileMode)mode); // the create mode is masked by the umask
    }

    public void WriteFile(string path, byte[] content, int mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = (UnixFileMode)mode };
        using (var stream = new FileStream(path, options)) stream.Write(content);
        File.SetUnixFileMode(path, (UnixFileMode)mode); // the create mode is masked by the umask
    }

    public byte[]? ReadFile(string path) => File.Exists(path) ? File.ReadAllBytes(path) : null;

    public int? ModeOf(string path) => File.Exists(path) ? (int)File.GetUnixFileMode(path) : null;

    public void CreateSymlink(string path, string target) => File.CreateSymbolicLink(path, target);

    public void Rename(string from, string to)
    {
        if (rename(from, to) != 0) throw new IOException($"rename {from} to {to}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    public IReadOnlyList<string> List(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFileSystemEntries(directory).Select(e => Path.GetFileName(e)).ToList() : [];

    public void Delete(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
        {
            info.Delete();
            return;
        }
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    public bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        // /proc/self/mountinfo: the fifth field is the mount point (spaces escaped as \040).
        return File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Any(fields => fields.Length > 4 && fields[4].Replace("\\040", " ", StringComparison.Ordinal) == full);
    }

    public void MountTmpfs(string path, long? sizeBytes)
    {
        var options = sizeBytes is { } size ? "size=" + size.ToString(CultureInfo.InvariantCulture) + ",mode=0777" : "mode=0777";
        if (mount("tmpfs", path, "tmpfs", 0, options) != 0)
            throw new IOException($"mount tmpfs at {path}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    public void Unmount(string path)
    {
        const int detach = 2; // MNT_DETACH: gone at once even while a container still holds it
        if (umount2(path, detach) != 0)
            throw new IOException($"unmount {path}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string pathname, int flags, uint mask, ref byte statxbuf);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string oldpath, string newpath);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string source, string target, string filesystemtype, ulong mountflags, string data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);
}
