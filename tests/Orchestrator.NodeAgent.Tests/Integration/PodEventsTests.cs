using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>The node agent's Events about real Docker containers, as the real kubectl shows them.</summary>
public sealed class PodEventsTests(AgentNodeFixture fixture) : IClassFixture<AgentNodeFixture>
{
    private AgentNode Agent => fixture.Agent;

    private static string PodYaml(string name, string command) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: orchestrator/busybox:latest
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "{command}"]
        """;

    private async Task<List<JsonObject>> EventsOf(string pod)
    {
        var list = JsonNode.Parse((await Agent.Kubectl.RunAsync("get events -o json")).EnsureSuccess().Stdout)!;
        return [.. list["items"]!.AsArray().OfType<JsonObject>().Where(e => e["involvedObject"]?["name"]?.GetValue<string>() == pod)];
    }

    [DockerFact]
    public async Task Describe_pod_shows_the_kubelet_events_of_a_started_container()
    {
        await Agent.CreateBoundPodAsync("evented", PodYaml("evented", "exec sleep 3600"));
        await Agent.WaitForPodAsync("evented", p => AgentNode.Phase(p) == "Running");

        string describe = "";
        await Poll.Until(async () =>
        {
            describe = (await Agent.Kubectl.RunAsync("describe pod evented")).EnsureSuccess().Stdout;
            return describe.Contains("Started", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "the Started event in kubectl describe", detail: () => describe);

        Assert.Matches(@"Normal\s+Pulled\s+.*kubelet\s+Container image ""orchestrator/busybox:latest"" already present on machine", describe);
        Assert.Matches(@"Normal\s+Created\s+.*kubelet\s+Created container: main", describe);
        Assert.Matches(@"Normal\s+Started\s+.*kubelet\s+Started container main", describe);
        var started = (await EventsOf("evented")).Single(e => e["reason"]!.GetValue<string>() == "Started");
        Assert.Equal("spec.containers{main}", started["involvedObject"]!["fieldPath"]!.GetValue<string>());
        Assert.Equal(Agent.NodeName, started["source"]!["host"]!.GetValue<string>());
    }

    [DockerFact]
    public async Task A_crash_loop_has_one_BackOff_event_whose_count_grows()
    {
        await Agent.CreateBoundPodAsync("looping", PodYaml("looping", "exit 1"));

        List<JsonObject> backOffs = [];
        await Poll.Until(async () =>
        {
            backOffs = [.. (await EventsOf("looping")).Where(e => e["reason"]!.GetValue<string>() == "BackOff")];
            return backOffs.Count == 1 && backOffs[0]["count"]!.GetValue<int>() > 1;
        }, TimeSpan.FromSeconds(90), "one BackOff event with count > 1", every: TimeSpan.FromSeconds(1),
            detail: () => string.Join("\n", backOffs.Select(e => e.ToJsonString())));

        Assert.Single(backOffs);
        Assert.Equal("Warning", backOffs[0]["type"]!.GetValue<string>());
        var describe = (await Agent.Kubectl.RunAsync("describe pod looping")).EnsureSuccess().Stdout;
        Assert.Matches(@"Warning\s+BackOff\s+.*\(x\d+ over .*\)\s+kubelet\s+Back-off restarting failed container main in pod looping_default", describe);
    }
}
