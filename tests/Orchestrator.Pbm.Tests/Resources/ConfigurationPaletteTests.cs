using System.Text;
using System.Text.Json;
using Orchestrator.Pbm.Tests.Integration;
using Xunit.Abstractions;

namespace Orchestrator.Pbm.Tests.Resources;

/// <summary>The <c>svc</c>, <c>config</c> and <c>secret</c> palettes through the real pbm and a real node.</summary>
[Collection(OrchestratorNodeGroup.Name)]
public sealed class ConfigurationPaletteTests(OrchestratorNode fixture, ITestOutputHelper output) : PbmAgainstNode(fixture, output)
{
    private const string SecretValue = "hunter2-very-secret";

    [Fact]
    public async Task Service_list_and_describe()
    {
        var ns = UniqueNamespace("svc");
        await ApplyAsync(Namespace(ns) + $$"""

            ---
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: {{ns}}}
            spec:
              type: NodePort
              selector: {app: api}
              ports:
              - {name: http, port: 80, targetPort: 8080, nodePort: 31777}
            """);

        var list = await PbmOk("svc", "list", "-n", ns);
        Assert.Matches(@"^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$", Lines(list.StandardOutput)[0]);
        Assert.Matches(@"^api\s+NodePort\s+10\.96\.\S+\s+<none>\s+80:31777/TCP\s", Lines(list.StandardOutput)[1]);

        var describe = await PbmOk("svc", "describe", "api", "-n", ns);
        Assert.Matches(@"(?m)^Selector:\s+app=api$", describe.StandardOutput);
        Assert.Matches(@"(?m)^  http:\s+80/TCP -> 8080 \(node port 31777\)$", describe.StandardOutput);
        Assert.Matches(@"(?m)^Endpoints:\s+<none>$", describe.StandardOutput);
    }

    [Fact]
    public async Task Service_endpoints_lists_each_endpoint_of_its_slices_with_conditions_node_and_pod()
    {
        var ns = UniqueNamespace("svcep");
        // A Service without a selector keeps the slices its user writes: no pods needed.
        await ApplyAsync(Namespace(ns) + $$"""

            ---
            apiVersion: v1
            kind: Service
            metadata: {name: db, namespace: {{ns}}}
            spec:
              type: NodePort
              ports:
              - {name: sql, port: 5432, nodePort: 31778}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: db-manual
              namespace: {{ns}}
              labels: {kubernetes.io/service-name: db}
            addressType: IPv4
            ports: [{name: sql, port: 5432, protocol: TCP}]
            endpoints:
            - addresses: [10.244.9.5]
              conditions: {ready: true, serving: true, terminating: false}
              nodeName: node-a
              targetRef: {kind: Pod, name: db-0, namespace: {{ns}}}
            - addresses: [10.244.9.6]
              conditions: {ready: false, serving: true, terminating: true}
            """);

        var endpoints = await PbmOk("svc", "endpoints", "db", "-n", ns);
        var lines = Lines(endpoints.StandardOutput);
        Assert.Matches(@"^ADDRESS\s+PORTS\s+READY\s+SERVING\s+TERMINATING\s+NODE\s+POD$", lines[0]);
        Assert.Matches(@"^10\.244\.9\.5\s+sql:5432/TCP\s+true\s+true\s+false\s+node-a\s+db-0$", lines[1]);
        Assert.Matches(@"^10\.244\.9\.6\s+sql:5432/TCP\s+false\s+true\s+true\s+<none>\s+<none>$", lines[2]);
        Assert.Matches(@"^db\s+NodePort\s+10\.96\.\S+\s+<none>\s+5432:31778/TCP\s", Lines((await PbmOk("svc", "list", "-n", ns)).StandardOutput)[1]);

        await ApplyAsync($$"""
            apiVersion: v1
            kind: Service
            metadata: {name: lonely, namespace: {{ns}}}
            spec:
              ports: [{port: 80}]
            """);
        Assert.Contains($"No endpoints for service {ns}/lonely.", (await PbmOk("svc", "endpoints", "lonely", "-n", ns)).StandardOutput, StringComparison.Ordinal);
        var missing = await Pbm("svc", "endpoints", "nope", "-n", ns);
        Assert.NotEqual(0, missing.ExitCode);
    }

    [Fact]
    public async Task Config_list_and_describe_show_the_data()
    {
        var ns = UniqueNamespace("config");
        await ApplyAsync(Namespace(ns) + $$"""

            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: {{ns}}}
            data: {mode: fast, "level": "3"}
            """);

        var list = await PbmOk("config", "list", "-n", ns);
        Assert.Matches(@"^settings\s+2\s", Lines(list.StandardOutput)[1]);
        var describe = await PbmOk("config", "describe", "settings", "-n", ns);
        Assert.Contains("  mode:\n  ----\n  fast", describe.StandardOutput, StringComparison.Ordinal);

        var yaml = await PbmOk("config", "describe", "settings", "-n", ns, "-o", "yaml");
        Assert.Contains("level: \"3\"", yaml.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_values_are_never_printed_only_keys_and_sizes()
    {
        var ns = UniqueNamespace("secret");
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(SecretValue));
        await ApplyAsync(Namespace(ns) + $$"""

            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: db, namespace: {{ns}}}
            stringData: {password: {{SecretValue}}}
            data: {user: {{Convert.ToBase64String("admin"u8.ToArray())}}}
            """);
        await ApplyAsync($$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: db, namespace: {{ns}}}
            stringData: {password: {{SecretValue}}-rotated}
            """);

        var outputs = new List<PbmResult>
        {
            await PbmOk("secret", "list", "-n", ns),
            await PbmOk("secret", "list", "-n", ns, "-o", "json"),
            await PbmOk("secret", "list", "-n", ns, "-o", "yaml"),
            await PbmOk("secret", "describe", "db", "-n", ns),
            await PbmOk("secret", "describe", "db", "-n", ns, "-o", "json"),
            await PbmOk("secret", "describe", "db", "-n", ns, "-o", "yaml"),
            await PbmOk("resource", "history", "db", "-k", "secret", "-n", ns),
        };

        foreach (var result in outputs)
        {
            var all = result.StandardOutput + result.StandardError;
            Assert.DoesNotContain(SecretValue, all, StringComparison.Ordinal);
            Assert.DoesNotContain(encoded[..12], all, StringComparison.Ordinal);
            Assert.DoesNotContain("YWRtaW4", all, StringComparison.Ordinal); // "admin"
        }
        Assert.Matches(@"^db\s+Opaque\s+2\s", Lines(outputs[0].StandardOutput)[1]);
        Assert.Matches(@"(?m)^  password:\s+27 bytes$", outputs[3].StandardOutput);
        Assert.Matches(@"(?m)^  user:\s+5 bytes$", outputs[3].StandardOutput);
        using var json = JsonDocument.Parse(outputs[4].StandardOutput);
        Assert.Equal("<redacted: 5 bytes>", json.RootElement.GetProperty("data").GetProperty("user").GetString());
        Assert.Contains("data keys ~password", outputs[6].StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, Fixture.Node.Output, StringComparison.Ordinal); // the node's log neither
    }

    [Fact]
    public async Task Secret_watch_never_prints_values()
    {
        var ns = UniqueNamespace("swatch");
        await ApplyAsync(Namespace(ns));

        await using var watch = StartPbm("secret", "list", "-n", ns, "-w", "-o", "yaml");
        await watch.WaitForLineAsync(line => line.StartsWith("kind: List", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await ApplyAsync($$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: token, namespace: {{ns}}}
            stringData: {token: {{SecretValue}}}
            """);
        await watch.WaitForLineAsync(line => line.Contains("token: '<redacted: 19 bytes>'", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await watch.InterruptAsync();
        var result = await watch.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.DoesNotContain(SecretValue, result.StandardOutput, StringComparison.Ordinal);
    }
}
