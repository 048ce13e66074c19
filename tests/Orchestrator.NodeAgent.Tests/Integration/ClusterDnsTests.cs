using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Discovery for pods on the real engine: a busybox client pod finds Services by DNS (the node's
/// resolver on its pod network's gateway, through the engine's embedded DNS) as <c>svc</c>,
/// the names its search path makes of <c>svc.ns</c>, and the full name; a headless Service's pod by
/// name; and sees the Services' environment variables. The node's "host resolver" is a DNS server this test runs
/// on loopback, so a forwarded name goes nowhere else.
/// </summary>
public sealed class ClusterDnsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-dns-").FullName;
    // The stand-in for the host's resolvers: outside.example is 192.0.2.99, anything else NXDOMAIN.
    private readonly LoopbackDnsServer _upstream = new(new Dictionary<string, IPAddress> { ["outside.example"] = IPAddress.Parse("192.0.2.99") });

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _upstream.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private const string Manifests = """
        apiVersion: v1
        kind: Service
        metadata: {name: web-front}
        spec:
          selector: {app: nobody}
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db}
        spec:
          clusterIP: None
          selector: {app: db}
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db-0, labels: {app: db}}
        spec:
          hostname: db-0
          subdomain: db
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: orchestrator/busybox:v2
            imagePullPolicy: IfNotPresent
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            ports: [{name: http, containerPort: 8080}]
        """;

    private const string Client = """
        apiVersion: v1
        kind: Pod
        metadata: {name: client}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - {name: main, image: "orchestrator/busybox:v2", imagePullPolicy: IfNotPresent, command: ["sleep", "3600"]}
        """;

    [DockerFact]
    public async Task A_client_pod_resolves_services_and_headless_pods_by_name_forwards_other_names_and_sees_the_variables()
    {
        var upstreamPort = _upstream.Port;
        var resolvConf = Path.Combine(_folder, "resolv.conf");
        await File.WriteAllTextAsync(resolvConf, "nameserver 127.0.0.1\nsearch host.example\n");
        await using var agent = await AgentNode.StartAsync(extraConfig: $$"""
            orchestrator.node-agent.dns { resolv-conf = "{{resolvConf}}", upstream-port = {{upstreamPort}} }
            """);
        var kubectl = agent.Kubectl;
        (await kubectl.RunAsync("apply -f -", Manifests)).EnsureSuccess();
        var clusterIp = (await kubectl.RunAsync("get svc web-front -o jsonpath={.spec.clusterIP}")).EnsureSuccess().Stdout.Trim();
        var db = await agent.WaitForPodAsync("db-0", p => AgentNode.Phase(p) == "Running" && p["status"]?["podIP"] is not null, TimeSpan.FromSeconds(120));
        var dbIp = db["status"]!["podIP"]!.GetValue<string>();
        await Poll.Until(async () => (await kubectl.RunAsync("get endpointslices -l kubernetes.io/service-name=db -o jsonpath={.items[*].endpoints[*].addresses[*]}")).Stdout.Contains(dbIp, StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the headless service's slice to list db-0");
        (await kubectl.RunAsync("apply -f -", Client)).EnsureSuccess();
        await agent.WaitForPodAsync("client", p => AgentNode.Phase(p) == "Running", TimeSpan.FromSeconds(120));

        async Task<string> InClient(string command)
        {
            var result = await kubectl.RunAsync($"exec client -- {command}", timeout: TimeSpan.FromSeconds(60));
            output.WriteLine($"$ {command}\n{result.Stdout}{result.Stderr}");
            return result.Stdout;
        }

        // The resolver binds once the pod network is there: the first lookups may come before it.
        await Poll.Until(async () => (await InClient("nslookup web-front")).Contains(clusterIp, StringComparison.Ordinal), TimeSpan.FromSeconds(60), "web-front to resolve in the client pod");
        Assert.Contains(dbIp, await InClient("nslookup db"), StringComparison.Ordinal);
        Assert.Contains("0 100 80 web-front.default.svc.cluster.local", await InClient("nslookup -type=SRV _http._tcp.web-front.default.svc.cluster.local"), StringComparison.Ordinal);
        // web-front.default is found through the search path's svc.cluster.local, which a libc
        // resolver appends (ndots:5; the path is checked below). This busybox cannot show it: its
        // nslookup searches only names without a dot, and its static glibc crashes resolving names
        // for wget (exit 139), so the names it would try are asked directly.
        Assert.Contains(clusterIp, await InClient("nslookup web-front.default.svc.cluster.local."), StringComparison.Ordinal);
        Assert.Contains(dbIp, await InClient("nslookup db.default.svc.cluster.local"), StringComparison.Ordinal);
        // The headless Service's pod by the hostname and subdomain it asked for.
        Assert.Contains(dbIp, await InClient("nslookup db-0.db.default.svc.cluster.local"), StringComparison.Ordinal);

        var missing = await kubectl.RunAsync("exec client -- nslookup nope.default.svc.cluster.local", timeout: TimeSpan.FromSeconds(60));
        Assert.Contains("NXDOMAIN", missing.Stdout + missing.Stderr, StringComparison.Ordinal);
        var questionsBefore = _upstream.Questions;
        Assert.Contains("192.0.2.99", await InClient("nslookup outside.example"), StringComparison.Ordinal);
        Assert.True(_upstream.Questions > questionsBefore, "the outside name was forwarded to the host's resolver");

        var resolv = await InClient("cat /etc/resolv.conf");
        Assert.Contains("default.svc.cluster.local svc.cluster.local cluster.local host.example", resolv, StringComparison.Ordinal);
        Assert.Contains("ndots:5", resolv, StringComparison.Ordinal);

        var env = await InClient("env");
        Assert.Contains($"WEB_FRONT_SERVICE_HOST={clusterIp}", env, StringComparison.Ordinal);
        Assert.Contains("WEB_FRONT_SERVICE_PORT_HTTP=80", env, StringComparison.Ordinal);
        Assert.Contains($"WEB_FRONT_PORT_80_TCP=tcp://{clusterIp}:80", env, StringComparison.Ordinal);
        Assert.DoesNotContain("DB_SERVICE_HOST", env, StringComparison.Ordinal); // headless
    }
}
