using System.Globalization;
using Orchestrator.Domain.Volumes;

namespace Orchestrator.NodeAgent.Volumes;

/// <summary>
/// Writes the files of a configMap, secret, downwardAPI or projected volume so that a running
/// container sees the old set or the new set, never a mix, as kubelet's atomic writer does:
/// <code>
///   volume/
///     ..2026_12_03_13_34_00.1234567/   the files of one version, written completely first
///     ..data -> ..2026_12_03_13_34_00.1234567   swapped in one rename(2)
///     key -> ..data/key                one link per top-level name, made once
/// </code>
/// A write with the same files, contents and modes changes nothing. After the swap the links of
/// names that are gone and the old version's folder are removed. A container that bound one file
/// (a subPath) keeps the version it started with, as in Kubernetes.
/// </summary>
public sealed class AtomicWriter(IVolumeFileSystem fs, TimeProvider time)
{
    /// <summary>The link every user-visible name goes through.</summary>
    public const string DataLink = "..data";

    private const string NewDataLink = "..data_tmp";
    private int _sequence;

    /// <summary>Makes <paramref name="directory"/> hold exactly <paramref name="files"/>; true when anything changed.</summary>
    public bool Write(string directory, IReadOnlyList<ProjectedFile> files)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(files);
        fs.CreateDirectory(directory, 0x1ED); // 0755
        var current = fs.ReadLink(Path.Combine(directory, DataLink));
        if (current is not null && Holds(Path.Combine(directory, current), files)) return false;

        var version = ".." + time.GetUtcNow().UtcDateTime.ToString("yyyy_MM_dd_HH_mm_ss.fffffff", CultureInfo.InvariantCulture)
            + "_" + Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
        var versionDir = Path.Combine(directory, version);
        fs.CreateDirectory(versionDir, 0x1ED);
        foreach (var file in files)
        {
            var target = Path.Combine(versionDir, file.Path);
            fs.CreateDirectory(Path.GetDirectoryName(target)!, 0x1ED);
            fs.WriteFile(target, file.Content, file.Mode);
        }

        var newLink = Path.Combine(directory, NewDataLink);
        fs.Delete(newLink);
        fs.CreateSymlink(newLink, version);
        fs.Rename(newLink, Path.Combine(directory, DataLink));

        var names = files.Select(f => f.Path.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var link = Path.Combine(directory, name);
            var want = DataLink + "/" + name;
            if (fs.ReadLink(link) == want) continue;
            fs.Delete(link);
            fs.CreateSymlink(link, want);
        }
        foreach (var entry in fs.List(directory))
        {
            if (entry.StartsWith("..", StringComparison.Ordinal))
            {
                // Earlier versions (and leftovers of an interrupted write); never the links.
                if (entry != version && entry != DataLink && entry != NewDataLink) fs.Delete(Path.Combine(directory, entry));
            }
            else if (!names.Contains(entry))
            {
                fs.Delete(Path.Combine(directory, entry));
            }
        }
        return true;
    }

    /// <summary>Whether the version folder holds exactly these files with these contents and modes.</summary>
    private bool Holds(string versionDir, IReadOnlyList<ProjectedFile> files)
    {
        if (fs.KindOf(versionDir) != HostPathKind.Directory) return false;
        var present = new List<string>();
        Collect(versionDir, "", present);
        if (present.Count != files.Count) return false;
        foreach (var file in files)
        {
            var path = Path.Combine(versionDir, file.Path);
            if (fs.ModeOf(path) != file.Mode || fs.ReadFile(path) is not { } content || !content.AsSpan().SequenceEqual(file.Content)) return false;
        }
        return true;
    }

    private void Collect(string folder, string prefix, List<string> into)
    {
        foreach (var name in fs.List(folder))
        {
            var path = Path.Combine(folder, name);
            if (fs.KindOf(path) == HostPathKind.Directory) Collect(path, prefix + name + "/", into);
            else into.Add(prefix + name);
        }
    }
}
