using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.Host.Tests;

/// <summary>
/// Services through the real kubectl, on a node without its agent: the tests write the pods'
/// status (IP, readiness) themselves as a kubelet would, and watch the endpoints follow.
/// </summary>
public sealed class ServiceKubectlTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    private Kubectl Kubectl => fixture.Kubectl;

    private static string Pod(string name, string app) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          labels:
            app: {app}
        spec:
          containers:
          - name: c
            image: orchestrator/busybox:latest
            ports:
            - name: http
              containerPort: 8080
        """;

    private async Task SetStatus(string ns, string pod, string ip, bool ready) =>
        (await Kubectl.RunAsync($"patch pod {pod} -n {ns} --subresource=status --type=merge -p " +
            "{\"status\":{\"phase\":\"Running\",\"podIP\":\"" + ip + "\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + (ready ? "True" : "False") + "\"}]}}")).EnsureSuccess();

    private async Task<string> Run(string args) => (await Kubectl.RunAsync(args)).EnsureSuccess().Stdout;

    [KubectlFact]
    public async Task Endpoints_and_slices_follow_the_pods_readiness_and_describe_shows_them()
    {
        const string ns = "svc-endpoints";
        await Run($"create namespace {ns}");
        (await Kubectl.RunAsync($"create -n {ns} -f -", Pod("web-a", "web"))).EnsureSuccess();
        (await Kubectl.RunAsync($"create -n {ns} -f -", Pod("web-b", "web"))).EnsureSuccess();
        (await Kubectl.RunAsync($"create -n {ns} -f -", Pod("db", "db"))).EnsureSuccess();
        (await Kubectl.RunAsync($"create -n {ns} -f -", """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: http}]
            """)).EnsureSuccess();
        await SetStatus(ns, "web-a", "10.244.7.1", ready: true);
        await SetStatus(ns, "web-b", "10.244.7.2", ready: false);
        await SetStatus(ns, "db", "10.244.7.3", ready: true);

        await Poll.Until(async () => (await Run($"get endpoints web -n {ns}")).Contains("10.244.7.1:8080", StringComparison.Ordinal), Converge, "the ready pod in the Endpoints");
        var table = await Run($"get endpoints -n {ns}");
        Assert.Matches(@"NAME\s+ENDPOINTS\s+AGE", table);
        Assert.DoesNotContain("10.244.7.2", table);
        Assert.DoesNotContain("10.244.7.3", table);
        var endpoints = JsonNode.Parse(await Run($"get ep web -n {ns} -o json"))!;
        Assert.Equal("10.244.7.2", endpoints["subsets"]![0]!["notReadyAddresses"]![0]!["ip"]!.GetValue<string>());

        var slices = await Run($"get endpointslices -n {ns}");
        Assert.Matches(@"web-0\s+IPv4\s+8080\s+10.244.7.1,10.244.7.2", slices);
        var slice = JsonNode.Parse(await Run($"get endpointslice web-0 -n {ns} -o json"))!;
        Assert.Equal("web", slice["metadata"]!["labels"]!["kubernetes.io/service-name"]!.GetValue<string>());

        Assert.Matches(@"Endpoints:\s+10.244.7.1:8080", await Run($"describe svc web -n {ns}"));

        await SetStatus(ns, "web-b", "10.244.7.2", ready: true);
        await SetStatus(ns, "web-a", "10.244.7.1", ready: false);
        await Poll.Until(async () =>
        {
            var now = await Run($"get endpoints web -n {ns}");
            return now.Contains("10.244.7.2:8080", StringComparison.Ordinal) && !now.Contains("10.244.7.1:8080", StringComparison.Ordinal);
        }, Converge, "the Endpoints to follow the readiness change");

        await Run($"delete svc web -n {ns}");
        await Poll.Until(async () => (await Kubectl.RunAsync($"get endpoints web -n {ns}")).Stderr.Contains("NotFound", StringComparison.Ordinal), Converge, "the Endpoints to go with the Service");
        await Poll.Until(async () => !(await Run($"get endpointslices -n {ns} -o name")).Contains("web-0", StringComparison.Ordinal), Converge, "the slice to go with the Service");
    }

    [KubectlFact]
    public async Task A_service_without_selector_keeps_the_endpoints_its_user_wrote()
    {
        const string ns = "svc-manual";
        await Run($"create namespace {ns}");
        (await Kubectl.RunAsync($"create -n {ns} -f -", """
            apiVersion: v1
            kind: Service
            metadata: {name: external}
            spec:
              ports: [{port: 5432}]
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: external}
            subsets:
            - addresses: [{ip: 192.0.2.10}]
              ports: [{port: 5432}]
            """)).EnsureSuccess();
        Assert.Contains("192.0.2.10:5432", await Run($"get endpoints external -n {ns}"));
        Assert.Matches(@"Endpoints:\s+192.0.2.10:5432", await Run($"describe svc external -n {ns}"));

        var bad = await Kubectl.RunAsync($"create -n {ns} -f -", """
            apiVersion: v1
            kind: Endpoints
            metadata: {name: bad}
            subsets:
            - addresses: [{ip: not-an-ip}]
            """);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("subsets[0].addresses[0].ip", bad.Stderr);
    }

    [KubectlFact]
    public async Task Cluster_ips_and_node_ports_are_allocated_unique_validated_and_freed_on_delete()
    {
        const string ns = "svc-alloc";
        await Run($"create namespace {ns}");
        await Run($"create service clusterip one -n {ns} --tcp=80:8080");
        await Run($"create service nodeport two -n {ns} --tcp=80:8080");
        var one = JsonNode.Parse(await Run($"get svc one -n {ns} -o json"))!;
        var two = JsonNode.Parse(await Run($"get svc two -n {ns} -o json"))!;
        var ip = one["spec"]!["clusterIP"]!.GetValue<string>();
        Assert.StartsWith("10.96.", ip);
        Assert.NotEqual(ip, two["spec"]!["clusterIP"]!.GetValue<string>());
        var nodePort = two["spec"]!["ports"]![0]!["nodePort"]!.GetValue<long>();
        Assert.InRange(nodePort, 30000, 32767);
        Assert.Matches($@"two\s+NodePort\s+10\.96\.\S+\s+<none>\s+80:{nodePort}/TCP", await Run($"get svc -n {ns}"));

        var ipClash = await Kubectl.RunAsync($"create -n {ns} -f -", $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: three
            spec:
              clusterIP: {ip}
              ports:
              - port: 80
            """);
        Assert.NotEqual(0, ipClash.ExitCode);
        Assert.Contains("is invalid", ipClash.Stderr);
        Assert.Contains($"spec.clusterIP: Invalid value: \"{ip}\": provided IP is already allocated", ipClash.Stderr);

        var portClash = await Kubectl.RunAsync($"create -n {ns} -f -", $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: four
            spec:
              type: NodePort
              ports:
              - port: 80
                nodePort: {nodePort}
            """);
        Assert.NotEqual(0, portClash.ExitCode);
        Assert.Contains($"spec.ports[0].nodePort: Invalid value: {nodePort}: provided port is already allocated", portClash.Stderr);

        var outOfRange = await Kubectl.RunAsync($"create -n {ns} -f -", """
            apiVersion: v1
            kind: Service
            metadata:
              name: five
            spec:
              clusterIP: 192.0.2.1
              ports:
              - port: 80
            """);
        Assert.Contains("spec.clusterIP: Invalid value: \"192.0.2.1\": provided IP is not in the valid range", outOfRange.Stderr);

        // Freed on delete: the same values can be asked for again at once.
        await Run($"delete svc one two -n {ns}");
        (await Kubectl.RunAsync($"create -n {ns} -f -", $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: again
            spec:
              type: NodePort
              clusterIP: {ip}
              ports:
              - port: 80
                nodePort: {nodePort}
            """)).EnsureSuccess();
        Assert.Contains($"{ip}", await Run($"get svc again -n {ns}"));
    }

    [KubectlFact]
    public async Task Kubectl_expose_makes_a_service_for_a_deployment()
    {
        const string ns = "svc-expose";
        await Run($"create namespace {ns}");
        await Run($"create deployment web -n {ns} --image=orchestrator/busybox:latest --port=8080");
        Assert.Contains("service/web exposed", await Run($"expose deployment web -n {ns} --port=80 --target-port=8080 --type=NodePort"));
        var service = JsonNode.Parse(await Run($"get svc web -n {ns} -o json"))!;
        Assert.Equal("web", service["spec"]!["selector"]!["app"]!.GetValue<string>());
        Assert.StartsWith("10.96.", service["spec"]!["clusterIP"]!.GetValue<string>());
        Assert.InRange(service["spec"]!["ports"]![0]!["nodePort"]!.GetValue<long>(), 30000, 32767);
    }
}
