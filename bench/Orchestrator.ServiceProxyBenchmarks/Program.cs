using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;

// The service proxy, measured on one node in one run: wrk (Debian's) against 2 replicas of
// orchestrator/http-server:v1 through the ClusterIP (wrk run in a client pod's network namespace
// with nsenter, as the ClusterIP answers the node's pods) and through the NodePort (from the host,
// 127.0.0.1), each next to wrk straight to one pod from the same place; keep-alive, then one
// connection per request (Connection: close). Then the time from a pod failing readiness to the
// last new connection it is given, several times. Usage: [seconds per wrk run] [connections] [readiness rounds]
// (default 10, 8, 5). Needs root, Docker, wrk and the local images (scripts/setup.sh).
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
var nodeName = "bench-" + Guid.NewGuid().ToString("N")[..8];
var folder = Directory.CreateTempSubdirectory("orchestrator-proxy-bench-").FullName;

await using var node = await NodeProcess.StartAsync(Path.Combine(folder, "data"), new Dictionary<string, string>
{
    ["ORCHESTRATOR_NODE_NAME"] = nodeName,
    ["ORCHESTRATOR_PBM_PORT"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
});
var kubectl = new Kubectl(node.Server);
var manifest = Path.Combine(folder, "web.yaml");
await File.WriteAllTextAsync(manifest, """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: http
            image: orchestrator/http-server:v1
            args: ["8080"]
            ports: [{containerPort: 8080, name: http}]
          # The pod is ready while the gate's /tmp/ready exists (the server image has no shell).
          - name: gate
            image: orchestrator/busybox:v2
            command: [sh, -c, "touch /tmp/ready && exec sleep 3600"]
            readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      type: NodePort
      selector:
        app: web
      ports:
      - port: 80
        targetPort: http
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: client
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: orchestrator/busybox:v2
        command: [sleep, "3600"]
    """);
(await kubectl.RunAsync($"apply -f {manifest}")).EnsureSuccess();
await WaitForReadyEndpoints(2);
var service = JsonNode.Parse((await kubectl.RunAsync("get svc web -o json")).EnsureSuccess().Stdout)!;
var clusterIp = service["spec"]!["clusterIP"]!.GetValue<string>();
var nodePort = service["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>();
var pods = (await kubectl.RunAsync("get pods -l app=web -o json")).EnsureSuccess().Stdout;
var servers = (JsonNode.Parse(pods)!["items"] as JsonArray)!.Select(p => (Name: p!["metadata"]!["name"]!.GetValue<string>(), Ip: p["status"]!["podIP"]!.GetValue<string>())).ToList();
var clientPid = await SandboxPid("client");
await Poll.Until(async () => (await kubectl.RunAsync("get pod client -o jsonpath={.status.phase}")).Stdout == "Running", TimeSpan.FromMinutes(1), "the client pod to run");
Console.WriteLine($"node {nodeName}: ClusterIP {clusterIp}:80, NodePort 127.0.0.1:{nodePort}, servers {string.Join(", ", servers.Select(s => s.Ip))}; wrk {seconds}s, 2 threads, {connections} connections");
Console.WriteLine();
Console.WriteLine("| path | connections | requests/s | p50 ms | p99 ms | vs direct (rps) | p99 vs direct |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
foreach (var close in new[] { false, true })
{
    var mode = close ? "one per request" : "keep-alive";
    var podDirect = await Wrk(clientPid, $"http://{servers[0].Ip}:8080/", close);
    var viaClusterIp = await Wrk(clientPid, $"http://{clusterIp}/", close);
    var hostDirect = await Wrk(null, $"http://{servers[0].Ip}:8080/", close);
    var viaNodePort = await Wrk(null, $"http://127.0.0.1:{nodePort}/", close);
    Row("pod → pod IP (direct)", mode, podDirect, podDirect);
    Row("pod → ClusterIP", mode, viaClusterIp, podDirect);
    Row("host → pod IP (direct)", mode, hostDirect, hostDirect);
    Row("host → NodePort", mode, viaNodePort, hostDirect);
}

// Readiness: clients open a new connection per request through the NodePort while one server's
// gate is removed; the last connection that server answered, against when its Ready=False was
// visible in the API and against when the gate was removed (the probe runs every second).
Console.WriteLine();
Console.WriteLine("| round | gate removed → NotReady in API (ms) | NotReady in API → last new connection (ms) | gate removed → last new connection (ms) |");
Console.WriteLine("|---|---:|---:|---:|");
var sinceApi = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    var target = servers[round % 2];
    var answers = new System.Collections.Concurrent.ConcurrentBag<(long Started, string Server)>();
    using var stop = new CancellationTokenSource();
    var clock = Stopwatch.StartNew();
    var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            var started = clock.ElapsedTicks;
            if (await GetOnce(nodePort) is { } server) answers.Add((started, server));
        }
    })).ToList();
    await Task.Delay(500);
    var removing = clock.ElapsedTicks;
    (await kubectl.RunAsync($"exec {target.Name} -c gate -- rm /tmp/ready")).EnsureSuccess();
    long? notReady = null;
    using var api = node.CreateHttpClient();
    while (notReady is null && clock.Elapsed < TimeSpan.FromSeconds(30))
    {
        var pod = JsonNode.Parse(await api.GetStringAsync($"/api/v1/namespaces/default/pods/{target.Name}"))!;
        var ready = (pod["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => c?["type"]?.GetValue<string>() == "Ready")?["status"]?.GetValue<string>();
        if (ready == "False") notReady = clock.ElapsedTicks;
        else await Task.Delay(20);
    }
    await Task.Delay(3000);
    await stop.CancelAsync();
    await Task.WhenAll(loops);
    var last = answers.Where(a => a.Server == target.Name).Max(a => a.Started);
    var ms = (long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
    var fromApi = ms(last - (notReady ?? last));
    sinceApi.Add(fromApi);
    Console.WriteLine($"| {round} | {ms((notReady ?? removing) - removing):0} | {fromApi:0} | {ms(last - removing):0} |");
    (await kubectl.RunAsync($"exec {target.Name} -c gate -- touch /tmp/ready")).EnsureSuccess();
    await WaitForReadyEndpoints(2);
}
Console.WriteLine();
Console.WriteLine($"NotReady in API → last new connection: max {sinceApi.Max():0} ms over {rounds} rounds (negative: the last connection began before the API showed NotReady)");

await kubectl.RunAsync($"delete -f {manifest} --wait=false");

async Task WaitForReadyEndpoints(int count) =>
    await Poll.Until(async () =>
    {
        var list = JsonNode.Parse((await kubectl.RunAsync("get endpointslices -l kubernetes.io/service-name=web -o json")).EnsureSuccess().Stdout)!;
        return (list["items"] as JsonArray ?? []).SelectMany(s => s?["endpoints"] as JsonArray ?? []).Count(e => e?["conditions"]?["ready"]?.GetValue<bool>() == true) == count;
    }, TimeSpan.FromMinutes(2), $"{count} ready endpoints");

async Task<int> SandboxPid(string pod)
{
    using var docker = new DockerClientConfiguration().CreateClient();
    var found = await Poll.For(async () => (await docker.Containers.ListContainersAsync(new ContainersListParameters
    {
        Filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.PodName}={pod}"] = true, [$"{ContainerLabels.ContainerKind}={ContainerLabels.SandboxKind}"] = true, [$"{ContainerLabels.Node}={nodeName}"] = true },
        },
    })).FirstOrDefault(), TimeSpan.FromMinutes(1), $"the sandbox of pod {pod}");
    return (int)(await docker.Containers.InspectContainerAsync(found.ID)).State.Pid;
}

// One wrk run, in the network namespace of process nsPid (nsenter) or on the host.
async Task<(double Rps, double P50, double P99, string Errors)> Wrk(int? nsPid, string url, bool close)
{
    var arguments = new List<string>();
    if (nsPid is { } pid) arguments.AddRange(["-t", pid.ToString(CultureInfo.InvariantCulture), "-n", "wrk"]);
    arguments.AddRange(["-t2", $"-c{connections}", $"-d{seconds}s", "--latency"]);
    if (close) arguments.AddRange(["-H", "Connection: close"]);
    arguments.Add(url);
    var start = new ProcessStartInfo(nsPid is null ? "wrk" : "nsenter") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    var rps = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
    var errors = Regex.Match(output, @"Socket errors:[^\n]*").Value + Regex.Match(output, @"Non-2xx[^\n]*").Value;
    return (rps, Latency(output, "50%"), Latency(output, "99%"), errors);
}

static double Latency(string output, string percentile)
{
    var m = Regex.Match(output, $@"\s{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\b");
    var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    return m.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
}

static void Row(string path, string mode, (double Rps, double P50, double P99, string Errors) run, (double Rps, double P50, double P99, string Errors) direct) =>
    Console.WriteLine($"| {path} | {mode} | {run.Rps:0} | {run.P50:0.00} | {run.P99:0.00} | {run.Rps / direct.Rps:0.00}x | {run.P99 / direct.P99:0.00}x |" + (run.Errors.Length > 0 ? $" <!-- {run.Errors} -->" : ""));

// One request on a connection of its own; the server that answered (its host name), null on failure.
static async Task<string?> GetOnce(int port)
{
    try
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await socket.ConnectAsync("127.0.0.1", port, timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"), timeout.Token);
        var buffer = new byte[1024];
        var text = new StringBuilder();
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        var body = text.ToString();
        var split = body.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return split < 0 ? null : body[(split + 4)..].Trim();
    }
    catch (Exception e) when (e is SocketException or OperationCanceledException)
    {
        return null;
    }
}
