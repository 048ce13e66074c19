using System.Text.Json;
using Xunit.Abstractions;

namespace Orchestrator.Pbm.Tests.Resources;

/// <summary>The <c>deploy</c> and <c>rollout</c> palettes through the real pbm and a real node.</summary>
/// <remarks>
/// The deployment controller's part (ReplicaSets with revisions, status) is played by the test
/// through the API, so these tests do not depend on a controller running.
/// </remarks>
[Collection(OrchestratorNodeGroup.Name)]
public sealed class WorkloadPaletteTests(OrchestratorNode fixture, ITestOutputHelper output) : PbmAgainstNode(fixture, output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Deployment(string ns, string image = "nginx:1.25") => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {{ns}}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: {{image}}
        """;

    private static string ReplicaSet(string ns, string deploymentUid, int revision, string image) => $$"""
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: web-rev{{revision}}
          namespace: {{ns}}
          annotations:
            deployment.kubernetes.io/revision: "{{revision}}"
          ownerReferences:
          - {apiVersion: apps/v1, kind: Deployment, name: web, uid: {{deploymentUid}}, controller: true}
        spec:
          replicas: 0
          selector:
            matchLabels:
              app: web
              pod-template-hash: h{{revision}}
          template:
            metadata:
              labels:
                app: web
                pod-template-hash: h{{revision}}
            spec:
              containers:
              - name: web
                image: {{image}}
        """;

    private async Task<JsonElement> DeploymentJsonAsync(string ns)
    {
        var result = await PbmOk("deploy", "describe", "web", "-n", ns, "-o", "json");
        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement.Clone();
    }

    private static string TemplateImage(JsonElement deployment) =>
        deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0].GetProperty("image").GetString()!;

    [Fact]
    public async Task Deploy_list_describe_and_scale()
    {
        var ns = UniqueNamespace("deploy");
        await ApplyAsync(Namespace(ns) + "\n---\n" + Deployment(ns));

        var list = await PbmOk("deploy", "list", "-n", ns);
        Assert.Matches(@"^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$", Lines(list.StandardOutput)[0]);
        Assert.Matches(@"^web\s+\d+/2\s", Lines(list.StandardOutput)[1]);

        var scaled = await PbmOk("deploy", "scale", "web", "-n", ns, "-r", "4");
        Assert.Equal("deployment.apps/web scaled", scaled.StandardOutput.Trim());
        Assert.Equal(4, (await DeploymentJsonAsync(ns)).GetProperty("spec").GetProperty("replicas").GetInt32());

        var describe = await PbmOk("deploy", "describe", "web", "-n", ns);
        Assert.Matches(@"(?m)^Replicas:\s+4 desired \|", describe.StandardOutput);
        Assert.Matches(@"(?m)^    web:\s+nginx:1\.25$", describe.StandardOutput);

        var bad = await Pbm("deploy", "scale", "web", "-n", ns, "-r", "many");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--replicas must be a whole number", bad.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollout_restart_stamps_the_template()
    {
        var ns = UniqueNamespace("restart");
        await ApplyAsync(Namespace(ns) + "\n---\n" + Deployment(ns));

        var restart = await PbmOk("rollout", "restart", "web", "-n", ns);

        Assert.Equal("deployment.apps/web restarted", restart.StandardOutput.Trim());
        var annotations = (await DeploymentJsonAsync(ns)).GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("annotations");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", annotations.GetProperty("kubectl.kubernetes.io/restartedAt").GetString());
    }

    [Fact]
    public async Task Rollout_history_lists_the_owned_replicasets_and_undo_restores_a_revision()
    {
        var ns = UniqueNamespace("undo");
        await ApplyAsync(Namespace(ns) + "\n---\n" + Deployment(ns, image: "nginx:1.27"));
        var uid = (await DeploymentJsonAsync(ns)).GetProperty("metadata").GetProperty("uid").GetString()!;
        await ApplyAsync(ReplicaSet(ns, uid, 7, "nginx:1.25") + "\n---\n" + ReplicaSet(ns, uid, 8, "nginx:1.26") + "\n---\n" + ReplicaSet(ns, uid, 9, "nginx:1.27"));

        var history = await PbmOk("rollout", "history", "web", "-n", ns);
        var lines = Lines(history.StandardOutput);
        Assert.Equal("deployment.apps/web", lines[0]);
        Assert.Matches(@"^REVISION\s+REPLICASET\s+IMAGES\s+CHANGE-CAUSE\s+AGE$", lines[1]);
        var revisions = lines.Skip(2).ToArray();
        Assert.Contains(revisions, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^7\s+web-rev7\s+nginx:1\.25\s"));
        Assert.Contains(revisions, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^9\s+web-rev9\s+nginx:1\.27\s"));
        Assert.Equal(revisions.OrderBy(line => int.Parse(line.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)), revisions);

        // The deployment controller, when it runs in the node, adds its own ReplicaSet: the one
        // before the newest is whatever history lists second to last.
        var listed = await PbmOk("rollout", "history", "web", "-n", ns, "-o", "json");
        JsonElement previous;
        using (var document = JsonDocument.Parse(listed.StandardOutput))
            previous = document.RootElement.EnumerateArray().OrderBy(r => r.GetProperty("revision").GetInt64()).SkipLast(1).Last().Clone();

        var undo = await PbmOk("rollout", "undo", "web", "-n", ns);
        Assert.Equal($"deployment.apps/web rolled back to revision {previous.GetProperty("revision").GetInt64()}", undo.StandardOutput.Trim());
        var rolledBack = await DeploymentJsonAsync(ns);
        Assert.Equal(previous.GetProperty("images")[0].GetString(), TemplateImage(rolledBack));
        Assert.False(rolledBack.GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("labels").TryGetProperty("pod-template-hash", out _));

        await PbmOk("rollout", "undo", "web", "-n", ns, "--to-revision", "7");
        Assert.Equal("nginx:1.25", TemplateImage(await DeploymentJsonAsync(ns)));

        var missing = await Pbm("rollout", "undo", "web", "-n", ns, "--to-revision", "3");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("unable to find the specified revision 3", missing.StandardError, StringComparison.Ordinal);

        var journal = await PbmOk("resource", "history", "web", "-k", "deployment", "-n", ns);
        Assert.Contains("rolled back to revision 7", journal.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollout_status_finishes_once_the_controller_has_observed_the_generation_and_every_replica()
    {
        // Zero replicas: done as soon as the generation is observed, whether the deployment
        // controller reports it (when it runs in the node) or the test does.
        var ns = UniqueNamespace("status");
        await ApplyAsync(Namespace(ns) + "\n---\n" + Deployment(ns).Replace("replicas: 2", "replicas: 0", StringComparison.Ordinal));
        await using var status = StartPbm("rollout", "status", "web", "-n", ns, "--timeout", "60s");
        await status.WaitForLineAsync(line => line.StartsWith("Waiting for deployment", StringComparison.Ordinal) || line.StartsWith("deployment \"web\"", StringComparison.Ordinal), Timeout);
        var generation = (await DeploymentJsonAsync(ns)).GetProperty("metadata").GetProperty("generation").GetInt64();
        await Fixture.PatchStatusAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web",
            $$$"""{"status":{"observedGeneration":{{{generation}}},"replicas":0,"updatedReplicas":0,"readyReplicas":0,"availableReplicas":0}}""");
        var result = await status.WaitForExitAsync(Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("deployment \"web\" successfully rolled out", Lines(result.StandardOutput)[^1]);
    }

    [Fact]
    public async Task Rollout_status_gives_up_after_its_timeout()
    {
        var ns = UniqueNamespace("slow");
        await ApplyAsync(Namespace(ns) + "\n---\n" + Deployment(ns));
        var generation = (await DeploymentJsonAsync(ns)).GetProperty("metadata").GetProperty("generation").GetInt64();
        await Fixture.PatchStatusAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web",
            $$$"""{"status":{"observedGeneration":{{{generation}}},"replicas":2,"updatedReplicas":2,"readyReplicas":0,"availableReplicas":0}}""");

        var result = await Pbm("rollout", "status", "web", "-n", ns, "--timeout", "2s");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Waiting for deployment \"web\" rollout to finish", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("timed out after 00:00:02 waiting for the rollout of deployment \"web\"", result.StandardError, StringComparison.Ordinal);
    }
}
