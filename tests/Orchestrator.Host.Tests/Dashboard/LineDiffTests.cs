using Orchestrator.Host.Dashboard.Live;

namespace Orchestrator.Host.Tests.Dashboard;

public sealed class LineDiffTests
{
    [Fact]
    public void Changed_lines_show_as_removed_then_added_and_the_rest_is_kept()
    {
        var diff = LineDiff.Of("a\nb\nc\n", "a\nB\nc\nd\n");
        Assert.Equal(
            [new DiffLine(' ', "a"), new DiffLine('-', "b"), new DiffLine('+', "B"), new DiffLine(' ', "c"), new DiffLine('+', "d")],
            diff);
    }

    [Fact]
    public void Equal_and_empty_texts()
    {
        Assert.All(LineDiff.Of("x\ny", "x\ny"), l => Assert.Equal(' ', l.Op));
        Assert.Equal([new DiffLine('+', "x")], LineDiff.Of("", "x"));
        Assert.Empty(LineDiff.Of("", ""));
    }
}
