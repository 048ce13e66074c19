using Orchestrator.Domain.Volumes;
using Orchestrator.NodeAgent.Volumes;

namespace Orchestrator.TestSupport.Volumes;

/// <summary>
/// An in-memory <see cref="IVolumeFileSystem"/>: folders, files with modes, links (resolved like
/// the kernel does, relative to the link's folder), an atomic rename, and tmpfs mounts recorded
/// (<see cref="Mounts"/>). <see cref="Renames"/> counts the renames, so tests see one swap per change.
/// </summary>
public sealed class InMemoryVolumeFileSystem : IVolumeFileSystem
{
    private abstract record Node;

    private sealed record Folder(int Mode) : Node;

    private sealed record FileNode(byte[] Content, int Mode) : Node;

    private sealed record Link(string Target) : Node;

    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal) { ["/"] = new Folder(0x1ED) };
    private readonly object _gate = new();

    /// <summary>The tmpfs mounts: path and size limit.</summary>
    public Dictionary<string, long?> Mounts { get; } = new(StringComparer.Ordinal);

    public int Renames { get; private set; }

    /// <summary>Puts a node of another kind (a socket, a device) at <paramref name="path"/>, for hostPath checks.</summary>
    public void AddSpecial(string path, HostPathKind kind)
    {
        lock (_gate) _nodes[Normal(path)] = new Special(kind);
    }

    private sealed record Special(HostPathKind Kind) : Node;

    private static string Normal(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    private static string Parent(string path) => Normal(path) is "/" ? "/" : Path.GetDirectoryName(Normal(path))!.Replace('\\', '/');

    /// <summary>The path with every link on the way resolved (at most 40 hops, as Linux).</summary>
    private string Resolve(string path)
    {
        var current = Normal(path);
        for (var hops = 0; hops < 40; hops++)
        {
            // Resolve the first link among the path's prefixes.
            var parts = current.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var prefix = "";
            var changed = false;
            for (var i = 0; i < parts.Length; i++)
            {
                prefix += "/" + parts[i];
                if (_nodes.TryGetValue(prefix, out var node) && node is Link link)
                {
                    var target = link.Target.StartsWith('/') ? link.Target : Parent(prefix) + "/" + link.Target;
                    current = Normal(target + "/" + string.Join('/', parts[(i + 1)..]));
                    changed = true;
                    break;
                }
            }
            if (!changed) return current;
        }
        throw new IOException($"too many levels of symbolic links: {path}");
    }

    public HostPathKind KindOf(string path)
    {
        lock (_gate)
        {
            return _nodes.GetValueOrDefault(Resolve(path)) switch
            {
                Folder => HostPathKind.Directory,
                FileNode => HostPathKind.File,
                Special s => s.Kind,
                _ => HostPathKind.Missing,
            };
        }
    }

    public string? ReadLink(string path)
    {
        lock (_gate) return _nodes.GetValueOrDefault(Normal(path)) is Link link ? link.Target : null;
    }

    public void CreateDirectory(string path, int mode)
    {
        lock (_gate)
        {
            var full = Resolve(path);
            var prefix = "";
            foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                prefix += "/" + part;
                if (!_nodes.TryGetValue(prefix, out var node)) _nodes[prefix] = new Folder(mode);
                else if (node is not Folder) throw new IOException($"{prefix} exists and is not a folder");
            }
        }
    }

    public void WriteFile(string path, byte[] content, int mode)
    {
        lock (_gate)
        {
            var full = Resolve(path);
            if (_nodes.GetValueOrDefault(Parent(full)) is not Folder) throw new DirectoryNotFoundException($"no folder for {path}");
            if (_nodes.GetValueOrDefault(full) is Folder) throw new IOException($"{path} is a folder");
            _nodes[full] = new FileNode([.. content], mode);
        }
    }

    public byte[]? ReadFile(string path)
    {
        lock (_gate) return _nodes.GetValueOrDefault(Resolve(path)) is FileNode file ? [.. file.Content] : null;
    }

    public int? ModeOf(string path)
    {
        lock (_gate) return _nodes.GetValueOrDefault(Resolve(path)) is FileNode file ? file.Mode : null;
    }

    public void CreateSymlink(string path, string target)
    {
        lock (_gate)
        {
            var full = Normal(path);
            if (_nodes.ContainsKey(full)) throw new IOException($"{path} exists");
            if (_nodes.GetValueOrDefault(Resolve(Parent(full))) is not Folder) throw new DirectoryNotFoundException($"no folder for {path}");
            _nodes[full] = new Link(target);
        }
    }

    public void Rename(string from, string to)
    {
        lock (_gate)
        {
            var source = Normal(from);
            var target = Normal(to);
            if (!_nodes.Remove(source, out var node)) throw new FileNotFoundException(from);
            if (_nodes.GetValueOrDefault(target) is Folder) throw new IOException($"{to} is a folder");
            _nodes[target] = node;
            Renames++;
        }
    }

    public IReadOnlyList<string> List(string directory)
    {
        lock (_gate)
        {
            var full = Resolve(directory);
            if (_nodes.GetValueOrDefault(full) is not Folder) return [];
            var prefix = full == "/" ? "/" : full + "/";
            return _nodes.Keys.Where(k => k.Length > prefix.Length && k.StartsWith(prefix, StringComparison.Ordinal) && !k[prefix.Length..].Contains('/'))
                .Select(k => k[prefix.Length..]).Order(StringComparer.Ordinal).ToList();
        }
    }

    public void Delete(string path)
    {
        lock (_gate)
        {
            var full = Normal(path);
            if (!_nodes.Remove(full, out var node) || node is not Folder) return;
            foreach (var key in _nodes.Keys.Where(k => k.StartsWith(full + "/", StringComparison.Ordinal)).ToList()) _nodes.Remove(key);
        }
    }

    public bool IsMountPoint(string path)
    {
        lock (_gate) return Mounts.ContainsKey(Normal(path));
    }

    public void MountTmpfs(string path, long? sizeBytes)
    {
        lock (_gate)
        {
            if (_nodes.GetValueOrDefault(Resolve(path)) is not Folder) throw new IOException($"mount point {path} is not a folder");
            Mounts[Normal(path)] = sizeBytes;
        }
    }

    public void Unmount(string path)
    {
        lock (_gate)
        {
            if (!Mounts.Remove(Normal(path))) throw new IOException($"{path} is not mounted");
        }
    }
}
