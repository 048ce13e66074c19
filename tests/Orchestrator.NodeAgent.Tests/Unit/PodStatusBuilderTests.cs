using System.Text.Json.Nodes;
using Orchestrator.NodeAgent.Sync;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Tests.Unit;

public sealed class PodStatusBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly PodIdentity Pod = new("default", "web", "u-1");

    private static ContainerStatus Run(string id, ContainerState state, int restartCount = 0, int exitCode = 0, string? error = null) =>
        new(id, "app", ContainerKind.App, Pod, "img:1", state, exitCode, T0, state == ContainerState.Created && error is not null ? null : T0.AddSeconds(1),
            state == ContainerState.Exited ? T0.AddSeconds(5) : null, restartCount, false, error, null, new Dictionary<string, string>());

    private static ContainerObservation Observed(ContainerStatus? current, ContainerStatus? previous = null, string? reason = null, string? message = null, bool ready = true, bool terminal = false) =>
        new("app", "img:1", current, previous, reason, message, ready, terminal);

    private static string? Condition(JsonObject status, string type) =>
        (status["conditions"] as JsonArray)!.OfType<JsonObject>().Single(c => c["type"]!.GetValue<string>() == type)["status"]!.GetValue<string>();

    [Fact]
    public void Without_a_sandbox_the_pod_is_pending_with_the_reason()
    {
        var status = PodStatusBuilder.Build(null, null, "192.168.1.2", [Observed(null, reason: "CreatePodSandboxError", message: "port 80 in use", ready: false)], T0);
        Assert.Equal("Pending", status["phase"]!.GetValue<string>());
        Assert.Null(status["podIP"]);
        Assert.Equal("192.168.1.2", status["hostIP"]!.GetValue<string>());
        Assert.Equal("CreatePodSandboxError", status["containerStatuses"]![0]!["state"]!["waiting"]!["reason"]!.GetValue<string>());
        Assert.Equal("port 80 in use", status["containerStatuses"]![0]!["state"]!["waiting"]!["message"]!.GetValue<string>());
        Assert.Equal("False", Condition(status, "Ready"));
        Assert.Equal("True", Condition(status, "PodScheduled"));
    }

    [Fact]
    public void A_running_ready_container_makes_the_pod_running_and_ready()
    {
        var status = PodStatusBuilder.Build(null, "172.17.0.5", "192.168.1.2", [Observed(Run("c1", ContainerState.Running))], T0);
        Assert.Equal("Running", status["phase"]!.GetValue<string>());
        Assert.Equal("172.17.0.5", status["podIP"]!.GetValue<string>());
        Assert.Equal("True", Condition(status, "Ready"));
        Assert.Equal("True", Condition(status, "ContainersReady"));
        var container = status["containerStatuses"]![0]!;
        Assert.True(container["ready"]!.GetValue<bool>());
        Assert.Equal("docker://c1", container["containerID"]!.GetValue<string>());
        Assert.NotNull(container["state"]!["running"]!["startedAt"]);
    }

    [Fact]
    public void Readiness_failure_keeps_the_pod_running_but_not_ready()
    {
        var status = PodStatusBuilder.Build(null, "172.17.0.5", null, [Observed(Run("c1", ContainerState.Running), ready: false)], T0);
        Assert.Equal("Running", status["phase"]!.GetValue<string>());
        Assert.Equal("False", Condition(status, "Ready"));
    }

    [Fact]
    public void Crash_loop_shows_waiting_with_the_last_termination()
    {
        var status = PodStatusBuilder.Build(null, "172.17.0.5", null,
            [Observed(Run("c2", ContainerState.Exited, restartCount: 3, exitCode: 1), reason: "CrashLoopBackOff", message: "back-off 40s", ready: false)], T0);
        var container = status["containerStatuses"]![0]!;
        Assert.Equal("Running", status["phase"]!.GetValue<string>());
        Assert.Equal("CrashLoopBackOff", container["state"]!["waiting"]!["reason"]!.GetValue<string>());
        Assert.Equal(1, container["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
        Assert.Equal("Error", container["lastState"]!["terminated"]!["reason"]!.GetValue<string>());
        Assert.Equal(3, container["restartCount"]!.GetValue<int>());
    }

    [Fact]
    public void A_container_that_could_not_start_reports_the_engine_error()
    {
        var status = PodStatusBuilder.Build(null, "172.17.0.5", null,
            [Observed(Run("c1", ContainerState.Created, error: "exec: \"nope\": executable file not found in $PATH"), reason: "RunContainerError", message: "exec: \"nope\": executable file not found in $PATH", ready: false)], T0);
        Assert.Equal("Pending", status["phase"]!.GetValue<string>());
        Assert.Contains("executable file not found", status["containerStatuses"]![0]!["state"]!["waiting"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "Succeeded")]
    [InlineData(2, "Failed")]
    public void Containers_that_exited_for_good_end_the_pod(int exitCode, string phase)
    {
        var status = PodStatusBuilder.Build(null, "172.17.0.5", null, [Observed(Run("c1", ContainerState.Exited, exitCode: exitCode), ready: false, terminal: true)], T0);
        Assert.Equal(phase, status["phase"]!.GetValue<string>());
        Assert.Equal(exitCode, status["containerStatuses"]![0]!["state"]!["terminated"]!["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public void An_unchanged_pod_computes_an_identical_status_later()
    {
        var observed = new[] { Observed(Run("c1", ContainerState.Running)) };
        var first = PodStatusBuilder.Build(null, "172.17.0.5", "192.168.1.2", observed, T0);
        var again = PodStatusBuilder.Build(first, "172.17.0.5", "192.168.1.2", observed, T0.AddMinutes(5));
        Assert.True(JsonNode.DeepEquals(first, again));
    }

    [Fact]
    public void A_condition_that_flips_gets_a_new_transition_time()
    {
        var first = PodStatusBuilder.Build(null, "172.17.0.5", null, [Observed(Run("c1", ContainerState.Running), ready: false)], T0);
        var later = PodStatusBuilder.Build(first, "172.17.0.5", null, [Observed(Run("c1", ContainerState.Running))], T0.AddMinutes(1));
        var transition = (later["conditions"] as JsonArray)!.OfType<JsonObject>().Single(c => c["type"]!.GetValue<string>() == "Ready")["lastTransitionTime"]!.GetValue<string>();
        Assert.Equal("2026-01-01T12:01:00Z", transition);
        Assert.Equal(first["startTime"]!.GetValue<string>(), later["startTime"]!.GetValue<string>());
    }
}
