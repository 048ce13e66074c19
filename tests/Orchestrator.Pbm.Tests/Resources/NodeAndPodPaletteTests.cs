using System.Text.Json;
using Orchestrator.Pbm.Tests.Integration;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Pbm.Tests.Resources;

/// <summary>The <c>node</c> and <c>pod</c> palettes through the real pbm and a real node.</summary>
[Collection(OrchestratorNodeGroup.Name)]
public sealed class NodeAndPodPaletteTests(OrchestratorNode fixture, ITestOutputHelper output) : PbmAgainstNode(fixture, output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Node(string name) => $"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {name}
          labels:
            pbm-test: "true"
        """;

    private static string Pod(string ns, string name, string? nodeName = null, string? owner = null) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {ns}
          labels:
            app: {name}
        {(owner is null ? "" : $"  ownerReferences:\n  - {{apiVersion: apps/v1, kind: {owner}, name: agent, uid: 3f1c2b7e-0000-4000-8000-000000000001, controller: true}}")}
        spec:
          {(nodeName is null ? "" : $"nodeName: {nodeName}")}
          containers:
          - name: main
            image: busybox:1.36
        """;

    [Fact]
    public async Task Node_list_describe_cordon_and_uncordon()
    {
        var name = UniqueNamespace("node");
        await ApplyAsync(Node(name));

        var list = await PbmOk("node", "list", "-l", "pbm-test=true");
        Assert.Matches(@"^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$", Lines(list.StandardOutput)[0]);
        Assert.Contains(Lines(list.StandardOutput), line => line.StartsWith(name + " ", StringComparison.Ordinal));

        var cordon = await PbmOk("node", "cordon", name);
        Assert.Equal($"node/{name} cordoned", cordon.StandardOutput.Trim());
        var cordoned = await PbmOk("node", "list", "-l", "pbm-test=true");
        Assert.Contains(Lines(cordoned.StandardOutput), line => line.StartsWith(name + " ", StringComparison.Ordinal) && line.Contains("SchedulingDisabled", StringComparison.Ordinal));
        Assert.Equal($"node/{name} already cordoned", (await PbmOk("node", "cordon", name)).StandardOutput.Trim());

        var describe = await PbmOk("node", "describe", name);
        Assert.Matches(@"(?m)^Name:\s+" + name + "$", describe.StandardOutput);
        Assert.Matches(@"(?m)^Unschedulable:\s+true$", describe.StandardOutput);

        Assert.Equal($"node/{name} uncordoned", (await PbmOk("node", "uncordon", name)).StandardOutput.Trim());
        Assert.Matches(@"(?m)^Unschedulable:\s+false$", (await PbmOk("node", "describe", name)).StandardOutput);
    }

    [Fact]
    public async Task Drain_cordons_and_deletes_the_nodes_pods_but_not_daemonset_ones()
    {
        var ns = UniqueNamespace("drain");
        var node = UniqueNamespace("worker");
        await ApplyAsync(Namespace(ns) + "\n---\n" + Node(node) + "\n---\n" + Pod(ns, "on-node", node) + "\n---\n" +
                         Pod(ns, "daemon", node, owner: "DaemonSet") + "\n---\n" + Pod(ns, "elsewhere"));

        var drain = await PbmOk("node", "drain", node);

        Assert.Equal([$"node/{node} cordoned", $"pod/on-node deleted (namespace {ns})", $"node/{node} drained"], Lines(drain.StandardOutput));
        Assert.Contains($"ignoring DaemonSet-managed Pods: {ns}/daemon", drain.StandardError, StringComparison.Ordinal);
        var pods = await PbmOk("pod", "list", "-n", ns, "-o", "json");
        using var document = JsonDocument.Parse(pods.StandardOutput);
        var byName = document.RootElement.GetProperty("items").EnumerateArray()
            .ToDictionary(p => p.GetProperty("metadata").GetProperty("name").GetString()!, p => p.GetProperty("metadata"));
        Assert.False(byName.ContainsKey("on-node") && !byName["on-node"].TryGetProperty("deletionTimestamp", out _), "on-node is neither gone nor terminating");
        // The daemon pod's DaemonSet does not exist, so the garbage collector may remove it as an orphan
        // (as Kubernetes' does); that drain left it alone is shown by drain's own lines above.
        Assert.False(byName["elsewhere"].TryGetProperty("deletionTimestamp", out _));
    }

    [Fact]
    public async Task Pod_list_describe_and_delete()
    {
        var ns = UniqueNamespace("pods");
        await ApplyAsync(Namespace(ns) + "\n---\n" + Pod(ns, "alpha") + "\n---\n" + Pod(ns, "beta"));

        var list = await PbmOk("pod", "list", "-n", ns);
        var lines = Lines(list.StandardOutput);
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$", lines[0]);
        Assert.Matches(@"^alpha\s+0/1\s+Pending\s+0\s+\d+s$", lines[1]);
        Assert.StartsWith("beta ", lines[2], StringComparison.Ordinal);

        var selected = await PbmOk("pod", "list", "-n", ns, "-l", "app=beta");
        Assert.Equal(2, Lines(selected.StandardOutput).Length);

        var all = await PbmOk("pod", "list", "-A", "-l", "app in (alpha,beta)");
        Assert.Matches(@"^NAMESPACE\s+NAME\s+READY", Lines(all.StandardOutput)[0]);
        Assert.Contains(Lines(all.StandardOutput), line => line.StartsWith(ns + " ", StringComparison.Ordinal));

        var describe = await PbmOk("pod", "describe", "alpha", "-n", ns);
        Assert.Matches(@"(?m)^Namespace:\s+" + ns + "$", describe.StandardOutput);
        Assert.Matches(@"(?m)^Labels:\s+app=alpha$", describe.StandardOutput);
        Assert.Matches(@"(?m)^    Image:\s+busybox:1\.36$", describe.StandardOutput);

        var yaml = await PbmOk("pod", "describe", "--name", "alpha", "-n", ns, "-o", "yaml");
        Assert.Contains("kind: Pod", yaml.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  name: alpha$", yaml.StandardOutput);
        Assert.Matches(@"(?m)^  - image: busybox:1\.36$|^    image: busybox:1\.36$", yaml.StandardOutput);

        var deleted = await PbmOk("pod", "delete", "beta", "-n", ns);
        Assert.Equal("pod \"beta\" deleted", deleted.StandardOutput.Trim());
        // A pod bound to a node is deleted gracefully: it shows Terminating until its node agent has
        // stopped its containers, then it is gone. Await that, with a deadline.
        await Poll.Until(async () =>
        {
            var after = await PbmOk("pod", "list", "-n", ns);
            var beta = Lines(after.StandardOutput).FirstOrDefault(line => line.StartsWith("beta ", StringComparison.Ordinal));
            if (beta is not null) Assert.Contains("Terminating", beta, StringComparison.Ordinal);
            return beta is null;
        }, TimeSpan.FromSeconds(60), "pod beta to be gone after its deletion");
    }

    [Fact]
    public async Task Pod_list_as_json_is_a_kubernetes_list()
    {
        var ns = UniqueNamespace("json");
        await ApplyAsync(Namespace(ns) + "\n---\n" + Pod(ns, "solo"));

        var result = await PbmOk("pod", "list", "-n", ns, "-o", "json");

        using var document = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal("List", document.RootElement.GetProperty("kind").GetString());
        var item = Assert.Single(document.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("solo", item.GetProperty("metadata").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Pod_list_with_watch_streams_changes_until_ctrl_c()
    {
        var ns = UniqueNamespace("watch");
        await ApplyAsync(Namespace(ns) + "\n---\n" + Pod(ns, "first"));

        await using var watch = StartPbm("pod", "list", "-n", ns, "-w");
        await watch.WaitForLineAsync(line => line.StartsWith("first ", StringComparison.Ordinal), Timeout);
        await ApplyAsync(Pod(ns, "second"));
        await watch.WaitForLineAsync(line => line.StartsWith("ADDED", StringComparison.Ordinal) && line.Contains(" second ", StringComparison.Ordinal), Timeout);
        await PbmOk("pod", "delete", "first", "-n", ns);
        await watch.WaitForLineAsync(line => line.StartsWith("DELETED", StringComparison.Ordinal) && line.Contains(" first ", StringComparison.Ordinal), Timeout);

        await watch.InterruptAsync();
        var result = await watch.WaitForExitAsync(Timeout);

        Assert.Equal(130, result.ExitCode);
        Assert.Contains("cancelled", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pod_watch_as_json_prints_one_event_document_per_change()
    {
        var ns = UniqueNamespace("wjson");
        await ApplyAsync(Namespace(ns));

        await using var watch = StartPbm("pod", "list", "-n", ns, "-w", "-o", "json");
        await watch.WaitForLineAsync(line => line.Contains("\"kind\": \"List\"", StringComparison.Ordinal), Timeout);
        await ApplyAsync(Pod(ns, "streamed"));
        await watch.WaitForLineAsync(line => line.Contains("\"type\": \"ADDED\"", StringComparison.Ordinal), Timeout);

        await watch.InterruptAsync();
        Assert.Equal(130, (await watch.WaitForExitAsync(Timeout)).ExitCode);
    }

    [Fact]
    public async Task An_unknown_pod_is_a_clear_error()
    {
        var result = await Pbm("pod", "describe", "no-such-pod");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error from server (NotFound): pods \"no-such-pod\" not found", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_selector_is_a_usage_error()
    {
        var result = await Pbm("pod", "list", "-l", "app in (a");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("invalid selector", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_without_a_name_says_so()
    {
        var result = await Pbm("pod", "describe");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'pod describe' needs the name", result.StandardError, StringComparison.Ordinal);
    }
}
