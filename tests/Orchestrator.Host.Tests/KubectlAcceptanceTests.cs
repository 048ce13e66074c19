using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.Host.Tests;

/// <summary>
/// The acceptance test of the API: the real kubectl binary (<c>/usr/bin/kubectl</c>) against a real
/// node process, for every kind: create -f, apply -f, get (table, -o json/yaml, -l), label, scale,
/// delete and get -w.
/// </summary>
public sealed class KubectlAcceptanceTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static string Manifest(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "manifests", name));

    [KubectlFact]
    public async Task Create_get_label_and_delete_a_pod()
    {
        var created = await Kubectl.RunAsync("create -f -", Manifest("pod.yaml"));
        Assert.Equal(0, created.ExitCode);
        Assert.Contains("pod/kubectl-pod created", created.Stdout);

        var table = (await Kubectl.RunAsync("get pods")).EnsureSuccess().Stdout;
        Assert.Matches(@"NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE", table);
        Assert.Matches(@"kubectl-pod\s+0/1\s+Pending\s+0", table);

        var json = JsonNode.Parse((await Kubectl.RunAsync("get pod kubectl-pod -o json")).EnsureSuccess().Stdout)!.AsObject();
        Assert.Equal("Pod", json["kind"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(json["metadata"]!["uid"]!.GetValue<string>()));
        var rv = long.Parse(json["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        var again = await Kubectl.RunAsync("create -f -", Manifest("pod.yaml"));
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("AlreadyExists", again.Stderr);

        (await Kubectl.RunAsync("label pod kubectl-pod env=prod")).EnsureSuccess();
        var labelled = JsonNode.Parse((await Kubectl.RunAsync("get pod kubectl-pod -o json")).EnsureSuccess().Stdout)!;
        Assert.Equal("prod", labelled["metadata"]!["labels"]!["env"]!.GetValue<string>());
        Assert.True(long.Parse(labelled["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > rv);

        Assert.Contains("kubectl-pod", (await Kubectl.RunAsync("get pods -l env=prod -o name")).EnsureSuccess().Stdout);
        Assert.Contains("kubectl-pod", (await Kubectl.RunAsync("get pods -l 'env in (prod,staging),app' -o name")).EnsureSuccess().Stdout);
        Assert.DoesNotContain("kubectl-pod", (await Kubectl.RunAsync("get pods -l env!=prod -o name")).EnsureSuccess().Stdout);

        Assert.Contains("deleted", (await Kubectl.RunAsync("delete pod kubectl-pod")).EnsureSuccess().Stdout);
        var missing = await Kubectl.RunAsync("get pod kubectl-pod");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NotFound", missing.Stderr);
    }

    [KubectlFact]
    public async Task Apply_creates_then_updates_every_kind_in_a_multi_document_file()
    {
        var first = (await Kubectl.RunAsync("apply -f -", Manifest("all-kinds.yaml"))).EnsureSuccess().Stdout;
        foreach (var created in new[] { "namespace/shop created", "configmap/shop-config created", "secret/shop-secret created",
                     "service/shop created", "deployment.apps/shop created", "replicaset.apps/shop-cache created", "node/worker-1 created" })
            Assert.Contains(created, first);

        var second = (await Kubectl.RunAsync("apply -f -", Manifest("all-kinds.yaml"))).EnsureSuccess().Stdout;
        Assert.Contains("deployment.apps/shop unchanged", second);

        var changed = Manifest("all-kinds.yaml").Replace("orchestrator/busybox:1", "orchestrator/busybox:2", StringComparison.Ordinal);
        Assert.Contains("deployment.apps/shop configured", (await Kubectl.RunAsync("apply -f -", changed)).EnsureSuccess().Stdout);
        var deployment = JsonNode.Parse((await Kubectl.RunAsync("get deployment shop -n shop -o json")).EnsureSuccess().Stdout)!;
        Assert.Equal("orchestrator/busybox:2", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal(2, deployment["metadata"]!["generation"]!.GetValue<long>());

        Assert.Matches(@"shop\s+ClusterIP", (await Kubectl.RunAsync("get svc -n shop")).EnsureSuccess().Stdout);
        Assert.Matches(@"shop-config\s+2", (await Kubectl.RunAsync("get configmaps -n shop")).EnsureSuccess().Stdout);
        Assert.Matches(@"shop-secret\s+Opaque\s+1", (await Kubectl.RunAsync("get secrets -n shop")).EnsureSuccess().Stdout);
        Assert.Matches(@"shop-cache\s+2", (await Kubectl.RunAsync("get rs -n shop")).EnsureSuccess().Stdout);
        Assert.Contains("worker-1", (await Kubectl.RunAsync("get nodes")).EnsureSuccess().Stdout);
        Assert.Contains("shop", (await Kubectl.RunAsync("get namespaces")).EnsureSuccess().Stdout);

        (await Kubectl.RunAsync("scale deployment shop -n shop --replicas=5")).EnsureSuccess();
        var scaled = JsonNode.Parse((await Kubectl.RunAsync("get deployment shop -n shop -o json")).EnsureSuccess().Stdout)!;
        Assert.Equal(5, scaled["spec"]!["replicas"]!.GetValue<long>());

        var yaml = (await Kubectl.RunAsync("get configmap shop-config -n shop -o yaml")).EnsureSuccess().Stdout;
        Assert.Contains("greeting: hello", yaml);

        (await Kubectl.RunAsync("delete -f -", Manifest("all-kinds.yaml").Replace("orchestrator/busybox:1", "orchestrator/busybox:2", StringComparison.Ordinal))).EnsureSuccess();
        Assert.Contains("No resources found", (await Kubectl.RunAsync("get deployments -n shop")).Stdout + (await Kubectl.RunAsync("get deployments -n shop")).Stderr);
    }

    [KubectlFact]
    public async Task Invalid_manifest_is_refused_with_the_field_named()
    {
        var result = await Kubectl.RunAsync("create -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: Bad_Name}
            spec:
              containers: [{name: c}]
            """);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("is invalid", result.Stderr);
        Assert.Contains("metadata.name", result.Stderr);
        Assert.Contains("spec.containers[0].image: Required value", result.Stderr);

        var unknownField = await Kubectl.RunAsync("create -f -", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: strict}
            data: {a: b}
            dta: {typo: yes}
            """);
        Assert.NotEqual(0, unknownField.ExitCode);
        Assert.Contains("unknown field \"dta\"", unknownField.Stderr);
    }

    [KubectlFact]
    public async Task Get_watch_shows_changes_as_they_happen()
    {
        using var watch = Kubectl.Watch("get configmaps -n default -w --output-watch-events");
        await Task.Yield();
        // The watch is established once kubectl has listed; give it the first object to show that.
        (await Kubectl.RunAsync("create configmap watched-1 --from-literal=a=1")).EnsureSuccess();
        await watch.WaitForLine(TimeSpan.FromSeconds(30), "ADDED", "watched-1");
        (await Kubectl.RunAsync("label configmap watched-1 seen=yes")).EnsureSuccess();
        await watch.WaitForLine(TimeSpan.FromSeconds(30), "MODIFIED", "watched-1");
        (await Kubectl.RunAsync("delete configmap watched-1")).EnsureSuccess();
        await watch.WaitForLine(TimeSpan.FromSeconds(30), "DELETED", "watched-1");
    }

    private static string CascadeDeployment(string name) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: {{name}}}
          template:
            metadata:
              labels: {app: {{name}}}
            spec:
              # No node matches: the pods stay unbound, so they go as soon as they are deleted
              # (this node runs no agent that would finish a bound pod's graceful deletion).
              nodeSelector: {cascade: nowhere}
              containers:
              - name: main
                image: orchestrator/busybox:latest
        """;

    private async Task<JsonObject> GetJson(string what) => JsonNode.Parse((await Kubectl.RunAsync($"get {what} -o json")).EnsureSuccess().Stdout)!.AsObject();

    private async Task<List<JsonObject>> Items(string what) => (await GetJson(what))["items"]!.AsArray().OfType<JsonObject>().ToList();

    /// <summary>How long the controllers get to converge.</summary>
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(90);

    [KubectlFact]
    public async Task Delete_with_cascade_orphan_leaves_the_replica_set_and_pods_without_the_owner()
    {
        (await Kubectl.RunAsync("create namespace cascade-orphan")).EnsureSuccess();
        (await Kubectl.RunAsync("apply -n cascade-orphan -f -", CascadeDeployment("keep"))).EnsureSuccess();
        await Poll.Until(async () => (await Items("pods -n cascade-orphan -l app=keep")).Count == 2, Converge, "2 pods");
        var rs = Assert.Single(await Items("rs -n cascade-orphan"));
        Assert.True(rs["metadata"]!["ownerReferences"]![0]!["blockOwnerDeletion"]!.GetValue<bool>());
        Assert.True(rs["metadata"]!["ownerReferences"]![0]!["controller"]!.GetValue<bool>());

        Assert.Contains("deleted", (await Kubectl.RunAsync("delete deployment keep -n cascade-orphan --cascade=orphan", timeout: TimeSpan.FromSeconds(100))).EnsureSuccess().Stdout);

        Assert.Contains("NotFound", (await Kubectl.RunAsync("get deployment keep -n cascade-orphan")).Stderr);
        var orphan = Assert.Single(await Items("rs -n cascade-orphan"));
        Assert.Equal(rs["metadata"]!["uid"]!.GetValue<string>(), orphan["metadata"]!["uid"]!.GetValue<string>());
        Assert.Null(orphan["metadata"]!["ownerReferences"]?.AsArray().FirstOrDefault());
        Assert.Null(orphan["metadata"]!["deletionTimestamp"]);
        var pods = await Items("pods -n cascade-orphan -l app=keep");
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal(orphan["metadata"]!["uid"]!.GetValue<string>(), p["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>()));
        Assert.All(pods, p => Assert.True(p["metadata"]!["ownerReferences"]![0]!["blockOwnerDeletion"]!.GetValue<bool>()));
    }

    [KubectlFact]
    public async Task Delete_with_cascade_foreground_keeps_the_deployment_until_its_pods_are_gone()
    {
        (await Kubectl.RunAsync("create namespace cascade-foreground")).EnsureSuccess();
        (await Kubectl.RunAsync("apply -n cascade-foreground -f -", CascadeDeployment("fg"))).EnsureSuccess();
        await Poll.Until(async () => (await Items("pods -n cascade-foreground -l app=fg")).Count == 2, Converge, "2 pods");
        // One pod is held by a finalizer of ours: the foreground deletion must wait for it.
        var held = (await Items("pods -n cascade-foreground -l app=fg"))[0]["metadata"]!["name"]!.GetValue<string>();
        (await Kubectl.RunAsync($$$"""patch pod {{{held}}} -n cascade-foreground --type=merge -p '{"metadata":{"finalizers":["example.com/hold"]}}'""")).EnsureSuccess();

        (await Kubectl.RunAsync("delete deployment fg -n cascade-foreground --cascade=foreground --wait=false")).EnsureSuccess();

        await Poll.Until(async () => (await Items("pods -n cascade-foreground -l app=fg")).Count == 1
            && (await Items("rs -n cascade-foreground")).All(r => r["metadata"]!["deletionTimestamp"] is not null), Converge, "the free pod gone and the ReplicaSet deleting");
        var deployment = await GetJson("deployment fg -n cascade-foreground");
        Assert.NotNull(deployment["metadata"]!["deletionTimestamp"]);
        Assert.Contains("foregroundDeletion", deployment["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));
        var heldPod = await GetJson($"pod {held} -n cascade-foreground");
        Assert.NotNull(heldPod["metadata"]!["deletionTimestamp"]);

        (await Kubectl.RunAsync($$$"""patch pod {{{held}}} -n cascade-foreground --type=merge -p '{"metadata":{"finalizers":null}}'""")).EnsureSuccess();
        (await Kubectl.RunAsync("wait --for=delete deployment/fg -n cascade-foreground --timeout=90s", timeout: TimeSpan.FromSeconds(100))).EnsureSuccess();
        Assert.Empty(await Items("rs -n cascade-foreground"));
        Assert.Empty(await Items("pods -n cascade-foreground"));
    }
}
