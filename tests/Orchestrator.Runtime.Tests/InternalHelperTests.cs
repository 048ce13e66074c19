using System.Text;
using Orchestrator.Runtime;
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

    [Fact]
    public void Engine_names_are_unique_per_pod_container_and_attempt_and_only_use_allowed_characters()
    {
        var pod = new PodIdentity("team-a", "web.v2", "0c4f-uid");

        Assert.Equal("orch_node-1_team-a_web.v2_main_0c4f-uid_3", EngineMapping.EngineName("node-1", pod, "main", 3));
        Assert.Equal("orch_node-1_team-a_web.v2_m-in-_0c4f-uid_0", EngineMapping.EngineName("node-1", pod, "m:in/", 0));
    }

    [Fact]
    public void The_runtimes_labels_win_over_the_callers()
    {
        var pod = new PodIdentity("default", "web", "uid-1");
        var extra = new Dictionary<string, string> { ["app"] = "web", [ContainerLabels.Node] = "other-node", [ContainerLabels.PodUid] = "forged" };

        var labels = EngineMapping.Labels("node-1", extra, pod, "main", ContainerLabels.AppKind, 2);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["app"] = "web",
                [ContainerLabels.Node] = "node-1",
                [ContainerLabels.PodNamespace] = "default",
                [ContainerLabels.PodName] = "web",
                [ContainerLabels.PodUid] = "uid-1",
                [ContainerLabels.ContainerName] = "main",
                [ContainerLabels.ContainerKind] = ContainerLabels.AppKind,
                [ContainerLabels.RestartCount] = "2",
            },
            labels);
    }

    [Fact]
    public void Hostnames_are_cut_to_63_characters_without_a_trailing_separator()
    {
        Assert.Equal("web", EngineMapping.Hostname("web"));
        Assert.Equal(new string('a', 62), EngineMapping.Hostname(new string('a', 62) + "-suffix"));
        Assert.Equal(63, EngineMapping.Hostname(new string('b', 100)).Length);
    }

    [Theory]
    [InlineData("created", ContainerState.Created)]
    [InlineData("running", ContainerState.Running)]
    [InlineData("paused", ContainerState.Running)]
    [InlineData("restarting", ContainerState.Running)]
    [InlineData("exited", ContainerState.Exited)]
    [InlineData("dead", ContainerState.Exited)]
    [InlineData("removing", ContainerState.Exited)]
    [InlineData("", ContainerState.Unknown)]
    [InlineData(null, ContainerState.Unknown)]
    public void Engine_states_map_to_the_node_agents_states(string? engine, ContainerState state) =>
        Assert.Equal(state, EngineMapping.StateOf(engine));
}
