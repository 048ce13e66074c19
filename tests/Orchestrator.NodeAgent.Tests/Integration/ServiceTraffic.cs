using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>What the service proxy tests do through kubectl: apply manifests, read a Service's addresses and its slices' endpoints, run commands in pods.</summary>
public sealed class ServiceTraffic(Kubectl kubectl, string folder, Func<string> detail)
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public Kubectl Kubectl => kubectl;

    /// <summary>Applies the YAML documents given, as one file.</summary>
    public async Task ApplyAsync(params string[] documents)
    {
        var yaml = string.Join("\n---\n", documents) + "\n";
        var file = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, yaml);
        (await kubectl.RunAsync($"apply -f {file}")).EnsureSuccess();
    }

    public async Task<JsonObject> ServiceAsync(string name) =>
        JsonNode.Parse((await kubectl.RunAsync($"get svc {name} -o json")).EnsureSuccess().Stdout)!.AsObject();

    public async Task<string> ClusterIpAsync(string name) => (await ServiceAsync(name))["spec"]!["clusterIP"]!.GetValue<string>();

    public async Task<int> NodePortAsync(string name) => (await ServiceAsync(name))["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>();

    /// <summary>The addresses of the Service's endpoints whose <c>ready</c> condition is <paramref name="ready"/>.</summary>
    public async Task<IReadOnlyList<string>> EndpointsAsync(string service, bool ready = true)
    {
        var list = JsonNode.Parse((await kubectl.RunAsync($"get endpointslices -l kubernetes.io/service-name={service} -o json")).EnsureSuccess().Stdout)!;
        return (list["items"] as JsonArray ?? [])
            .SelectMany(s => s?["endpoints"] as JsonArray ?? [])
            .Where(e => (e?["conditions"]?["ready"]?.GetValue<bool>() ?? false) == ready)
            .SelectMany(e => e?["addresses"] as JsonArray ?? [])
            .Select(a => a!.GetValue<string>())
            .ToList();
    }

    public Task WaitForEndpointsAsync(string service, int ready) =>
        Poll.Until(async () => (await EndpointsAsync(service)).Count == ready, Patience, $"{ready} ready endpoints of Service {service}", detail: detail);

    public async Task<IReadOnlyList<string>> PodNamesAsync(string selector) =>
        (await kubectl.RunAsync($"get pods -l {selector} -o jsonpath={{.items[*].metadata.name}}")).EnsureSuccess().Stdout
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Runs <paramref name="script"/> (no single quotes in it) with sh in <paramref name="pod"/>.</summary>
    public Task<KubectlResult> ShAsync(string pod, string script) => kubectl.RunAsync($"exec {pod} -- sh -c '{script}'");

    // busybox wget -T crashes (Debian 1.35 static build); timeout bounds each request instead.
    /// <summary>Which servers answered <paramref name="count"/> HTTP requests from <paramref name="client"/> to <paramref name="url"/> (each server answers its host name).</summary>
    public async Task<IReadOnlyList<string>> AnswersAsync(string client, string url, int count)
    {
        var result = await ShAsync(client, $"for i in $(seq {count}); do timeout 5 wget -q -O - {url} || echo FAILED; done");
        return (result.Stdout + (result.ExitCode == 0 ? "" : "\nexit " + result.ExitCode + ": " + result.Stderr)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>A Deployment of busybox httpd servers that answer their host name; ready while /tmp/ready exists (it does from the start).</summary>
    public static string WebServers(string name, int replicas, string? nodeName = null)
    {
        var nodeSelector = nodeName is null ? "" : "nodeSelector:\n        kubernetes.io/hostname: " + nodeName;
        return $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{name}}
            spec:
              replicas: {{replicas}}
              selector:
                matchLabels:
                  app: {{name}}
              template:
                metadata:
                  labels:
                    app: {{name}}
                spec:
                  terminationGracePeriodSeconds: 1
                  {{nodeSelector}}
                  containers:
                  - name: httpd
                    image: orchestrator/busybox:v2
                    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /www"]
                    ports: [{containerPort: 8080, name: http}]
                    readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}
            """;
    }

    public static string ClientPod(string name, string image = "orchestrator/busybox:v2", string command = "[sleep, \"3600\"]", string? nodeName = null) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
        spec:
          terminationGracePeriodSeconds: 1
          {{(nodeName is null ? "" : "nodeName: " + nodeName)}}
          containers:
          - name: main
            image: {{image}}
            command: {{command}}
        """;

    public static string Service(string name, string type = "ClusterIP", int port = 80, string targetPort = "http", string protocol = "TCP", string? selector = null) => $$"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {{name}}
        spec:
          type: {{type}}
          selector:
            app: {{selector ?? name}}
          ports:
          - port: {{port}}
            targetPort: {{targetPort}}
            protocol: {{protocol}}
        """;
}
