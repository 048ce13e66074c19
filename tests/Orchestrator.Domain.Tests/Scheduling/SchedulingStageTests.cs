using System.Text.Json.Nodes;
using Orchestrator.Domain.Scheduling;
using static Orchestrator.TestSupport.Builders.TestObjects;

namespace Orchestrator.Domain.Tests.Scheduling;

public class SchedulingStageTests
{
    private const string Me = "default-scheduler";

    [Theory]
    [InlineData(null, "Pending", false, false, SchedulingStage.Pending)]
    [InlineData("n1", "Running", false, false, SchedulingStage.Bound)]
    [InlineData("n1", "Pending", false, false, SchedulingStage.Bound)]
    [InlineData("n1", "Succeeded", false, false, SchedulingStage.Left)]
    [InlineData("n1", "Failed", false, false, SchedulingStage.Left)]
    [InlineData("n1", "Running", true, false, SchedulingStage.Left)]
    [InlineData(null, "Pending", true, false, SchedulingStage.Left)]
    [InlineData(null, "Failed", false, false, SchedulingStage.Ignored)]
    [InlineData(null, "Pending", false, true, SchedulingStage.Ignored)]
    [InlineData("n1", "Running", false, true, SchedulingStage.Bound)]
    public void A_pod_is_placed_by_its_node_phase_and_deletion(string? node, string phase, bool deleted, bool deleting, SchedulingStage expected) =>
        Assert.Equal(expected, SchedulingStages.Of(Pod("p", null, node: node, phase: phase, deleting: deleting), deleted, Me));

    [Fact]
    public void A_pod_for_another_scheduler_is_not_ours_unless_unnamed()
    {
        var pod = Pod("p", null, node: null, phase: "Pending");
        pod["spec"]!["schedulerName"] = "other";
        Assert.Equal(SchedulingStage.Ignored, SchedulingStages.Of(pod, false, Me));
        pod["spec"]!["schedulerName"] = Me;
        Assert.Equal(SchedulingStage.Pending, SchedulingStages.Of(pod, false, Me));
        pod["spec"]!["schedulerName"] = "";
        Assert.Equal(SchedulingStage.Pending, SchedulingStages.Of(pod, false, Me));
        pod["spec"]!["nodeName"] = "";
        Assert.Equal(SchedulingStage.Pending, SchedulingStages.Of(pod, false, Me)); // an empty nodeName is no binding
    }
}
