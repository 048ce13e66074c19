using System.Text;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime.Tests;

/// <summary>The runtime's pure helpers; no engine needed.</summary>
public sealed class InternalHelperTests
{
    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("orchestrator/busybox:latest", "orchestrator/busybox", "latest")]
    [InlineData("registry.local:5000/team/app", "registry.local:5000/team/app", "latest")]
    [InlineData("registry.local:5000/team/app:1.2", "registry.local:5000/team/app", "1.2")]
    [InlineData("app@sha256:abc", "app", "sha256:abc")]
    [InlineData("app:1.2@sha256:abc", "app", "sha256:abc")]
    public void Image_references_split_into_repository_and_tag(string reference, string repository, string tag) =>
        Assert.Equal(new ImageReference(repository, tag), ImageReference.TryParse(reference));

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("busy box")]
    [InlineData("app:")]
    [InlineData(":tag")]
    [InlineData("app@")]
    [InlineData("registry/")]
    public void Impossible_image_references_are_refused(string reference) =>
        Assert.Null(ImageReference.TryParse(reference));

    [Fact]
    public void Engine_timestamps_keep_up_to_100_ns_and_the_zero_time_is_null()
    {
        var parsed = DockerTime.Parse("2026-11-25T16:55:00.123456789Z");

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 16, 55, 0, TimeSpan.Zero).AddTicks(1_234_567), parsed);
        Assert.Equal(TimeSpan.Zero, parsed!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 16, 55, 0, TimeSpan.Zero), DockerTime.Parse("2026-11-25T16:55:00Z"));
        Assert.Null(DockerTime.Parse("0001-01-01T00:00:00Z"));
        Assert.Null(DockerTime.Parse(""));
        Assert.Null(DockerTime.Parse("not a time"));
    }

    [Fact]
    public void Since_is_written_as_unix_seconds_with_nanoseconds()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1_764_089_700).AddTicks(1_234_567);

        Assert.Equal("1764089700.123456700", DockerTime.ToUnixSeconds(at));
    }

    [Fact]
    public void Lines_split_across_frames_and_characters_split_across_frames_come_out_whole()
    {
        var splitter = new LogLineSplitter();
        var bytes = Encoding.UTF8.GetBytes("first\r\nsecond ünïcödé\nthird");
        var lines = new List<string>();

        // One byte per frame: every line and every multi-byte character is cut.
        foreach (var b in bytes)
            lines.AddRange(splitter.Add([b]));

        Assert.Equal(["first", "second ünïcödé"], lines);
        Assert.Equal("third", splitter.Flush());
        Assert.Null(splitter.Flush());
    }

    [Fact]
    public void Several_lines_in_one_frame_come_out_in_order()
    {
        var splitter = new LogLineSplitter();

        Assert.Equal(["a", "", "b"], splitter.Add("a\n\nb\nc"u8));
        Assert.Equal(["cd"], splitter.Add("d\n"u8));
        Assert.Null(splitter.Flush());
    }
}
