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
}
