extern alias PbmClient;
using PbmClient::Orchestrator.CommandHost.Protocol;
using PbmClient::Orchestrator.Pbm.Rendering;

namespace Orchestrator.Pbm.Tests.Grammar;

public sealed class AlignedTableTests
{
    [Fact]
    public void Columns_are_padded_to_the_widest_cell_and_lines_have_no_trailing_spaces()
    {
        var text = AlignedTable.Render(new TableOutput("Members",
            ["ADDRESS", "STATUS", "NOTES"],
            [["akka.tcp://sys@10.0.0.1:4053", "up", "leader"], ["akka.tcp://sys@10.0.0.22:4053", "leaving", ""]]));

        Assert.Equal(
            "Members\n" +
            "ADDRESS                        STATUS   NOTES\n" +
            "akka.tcp://sys@10.0.0.1:4053   up       leader\n" +
            "akka.tcp://sys@10.0.0.22:4053  leaving\n",
            text);
    }

    [Fact]
    public void Short_rows_leave_the_missing_cells_empty() =>
        Assert.Equal("A  B\nx\n", AlignedTable.Render(new TableOutput(null, ["A", "B"], [["x"]])));
}
