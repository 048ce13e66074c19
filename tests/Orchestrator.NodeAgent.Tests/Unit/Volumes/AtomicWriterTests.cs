using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Domain.Volumes;
using Orchestrator.NodeAgent.Volumes;
using Orchestrator.TestSupport.Volumes;

namespace Orchestrator.NodeAgent.Tests.Unit.Volumes;

/// <summary>The atomic writer: a version folder, the ..data link swapped in one rename, user links through it, old versions removed.</summary>
public sealed class AtomicWriterTests
{
    private const string Dir = "/pods/u/volumes/cfg";
    private readonly InMemoryVolumeFileSystem _fs = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 13, 0, 0, TimeSpan.Zero));

    private static ProjectedFile File(string path, string text, int mode = 420) => new(path, Encoding.UTF8.GetBytes(text), mode);

    private string Read(string path) => Encoding.UTF8.GetString(_fs.ReadFile(Path.Combine(Dir, path)) ?? throw new FileNotFoundException(path));

    [Fact]
    public void Files_are_reached_through_links_into_the_version_the_data_link_names()
    {
        var writer = new AtomicWriter(_fs, _time);
        Assert.True(writer.Write(Dir, [File("a.conf", "one"), File("nested/b.conf", "two", 256)]));

        Assert.Equal("..data/a.conf", _fs.ReadLink(Path.Combine(Dir, "a.conf")));
        Assert.Equal("..data/nested", _fs.ReadLink(Path.Combine(Dir, "nested")));
        var version = _fs.ReadLink(Path.Combine(Dir, AtomicWriter.DataLink));
        Assert.StartsWith("..2026_12_03_13_00_00.", version);
        Assert.Equal("one", Read("a.conf"));
        Assert.Equal("two", Read("nested/b.conf"));
        Assert.Equal(256, _fs.ModeOf(Path.Combine(Dir, "nested/b.conf")));
        Assert.Equal(new[] { "..data", version!, "a.conf", "nested" }.Order(StringComparer.Ordinal), _fs.List(Dir).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_same_files_again_change_nothing()
    {
        var writer = new AtomicWriter(_fs, _time);
        writer.Write(Dir, [File("a", "one")]);
        var renames = _fs.Renames;
        var version = _fs.ReadLink(Path.Combine(Dir, AtomicWriter.DataLink));
        Assert.False(writer.Write(Dir, [File("a", "one")]));
        Assert.Equal(renames, _fs.Renames);
        Assert.Equal(version, _fs.ReadLink(Path.Combine(Dir, AtomicWriter.DataLink)));
        Assert.True(writer.Write(Dir, [File("a", "one", 384)])); // a mode change is a change
    }

    [Fact]
    public void A_change_swaps_in_a_new_version_in_one_rename_and_removes_the_old_version_and_gone_names()
    {
        var writer = new AtomicWriter(_fs, _time);
        writer.Write(Dir, [File("a", "one"), File("gone", "x")]);
        var old = _fs.ReadLink(Path.Combine(Dir, AtomicWriter.DataLink))!;
        var renames = _fs.Renames;
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(writer.Write(Dir, [File("a", "two"), File("new", "y")]));

        Assert.Equal(renames + 1, _fs.Renames);
        Assert.Equal("two", Read("a"));
        Assert.Equal("y", Read("new"));
        Assert.Null(_fs.ReadLink(Path.Combine(Dir, "gone")));
        Assert.Equal(HostPathKind.Missing, _fs.KindOf(Path.Combine(Dir, old)));
        Assert.DoesNotContain(_fs.List(Dir), n => n == "..data_tmp");
    }

    [Fact]
    public void An_empty_payload_leaves_only_the_data_link_and_an_empty_version()
    {
        var writer = new AtomicWriter(_fs, _time);
        writer.Write(Dir, [File("a", "one")]);
        writer.Write(Dir, []);
        Assert.Equal(2, _fs.List(Dir).Count);
        Assert.Equal(HostPathKind.Missing, _fs.KindOf(Path.Combine(Dir, "a")));
    }
}
