using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;

// Pod start latency: from the POST of a pod (already naming this node in spec.nodeName) to its
// container running (the engine's State.StartedAt), one pod at a time, against plain Docker.DotNet
// create+start of the same image and command in the same run. Usage: [count] [scheduled]
// (default 50; with "scheduled" the pod names no node and the scheduler binds it).
// It also prints where the time of a pod start goes: the median time from the POST to each step the
// agent logs (debug line pod-start-timeline) and to the engine's own created/started times.
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
var scheduled = args.Length > 1 && args[1] == "scheduled";
const string Image = "orchestrator/busybox:latest";
var nodeName = "bench-" + Guid.NewGuid().ToString("N")[..8];
var folder = Directory.CreateTempSubdirectory("orchestrator-agent-bench-").FullName;
var overlay = Path.Combine(folder, "agent.conf");
File.WriteAllText(overlay, $"include \"{Path.Combine(AppContext.BaseDirectory, "hocon", "single-node.conf")}\"\n");

using var docker = new DockerClientConfiguration().CreateClient();
using var runtime = new DockerContainerRuntime(new DockerRuntimeOptions(nodeName));

// 1. Plain Docker.DotNet: create + start, time until the engine reports the process started.
var plain = new List<double>();
var plainIds = new List<string>();
try
{
    for (var i = 0; i < count; i++)
    {
        var t0 = DateTimeOffset.UtcNow;
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = Image,
            Cmd = ["sleep", "3600"],
            Labels = new Dictionary<string, string> { ["orchestrator.bench"] = nodeName },
            HostConfig = new HostConfig { Init = true },
        });
        plainIds.Add(created.ID);
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var inspect = await docker.Containers.InspectContainerAsync(created.ID);
        plain.Add((DateTimeOffset.Parse(inspect.State.StartedAt, CultureInfo.InvariantCulture) - t0).TotalMilliseconds);
    }
}
finally
{
    foreach (var id in plainIds) await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
}

// 2. Through the orchestrator: POST the pod, wait for its container to run. Once with a sandbox
// made for every pod (the default), once with a warm pool of 2 spare sandboxes.
var own = await RunAgentAsync(0);
var pooled = await RunAgentAsync(2);

async Task<(List<double> Latencies, Dictionary<string, (DateTimeOffset T0, Dictionary<string, double> Steps)> Timelines)> RunAgentAsync(int poolSize)
{
    var agent = new List<double>();
    var timelines = new Dictionary<string, (DateTimeOffset T0, Dictionary<string, double> Steps)>();
    var runOverlay = Path.Combine(folder, $"agent-{poolSize}.conf");
    File.WriteAllText(runOverlay, $"include \"{overlay}\"\norchestrator.node-agent.sandbox-pool-size = {poolSize}\n");
    await using (var node = await NodeProcess.StartAsync(Path.Combine(folder, $"data-{poolSize}"), new Dictionary<string, string>
    {
        ["ORCHESTRATOR_CONFIG"] = runOverlay,
        ["ORCHESTRATOR_NODE_NAME"] = nodeName,
        ["ORCHESTRATOR_PBM_PORT"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        ["Logging__LogLevel__Orchestrator.NodeAgent"] = "Debug",
    }))
    {
        using var http = node.CreateHttpClient();
        // Wait for the node agent to register (its Node object appears).
        var registered = Stopwatch.StartNew();
        while (!(await http.GetAsync($"/api/v1/nodes/{nodeName}")).IsSuccessStatusCode)
        {
            if (registered.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("the node agent did not register");
            await Task.Delay(100);
        }
        var filled = Stopwatch.StartNew();
        while ((await runtime.ListFreeSpareSandboxesAsync(CancellationToken.None)).Count < poolSize)
        {
            if (filled.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("the sandbox pool did not fill");
            await Task.Delay(100);
        }
        try
        {
            for (var i = 0; i < count; i++)
            {
                var name = $"bench-{i}";
                var pod = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Pod",
                    ["metadata"] = new JsonObject { ["name"] = name },
                    ["spec"] = new JsonObject
                    {
                        ["nodeName"] = nodeName,
                        ["terminationGracePeriodSeconds"] = 0,
                        // The engine's resolv.conf, so pooled runs use the spares (which cannot carry the cluster DNS).
                        ["dnsPolicy"] = "Default",
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "main",
                            ["image"] = Image,
                            ["imagePullPolicy"] = "IfNotPresent",
                            ["command"] = new JsonArray("sleep", "3600"),
                        }),
                    },
                };
                if (scheduled) ((JsonObject)pod["spec"]!).Remove("nodeName");
                var t0 = DateTimeOffset.UtcNow;
                using var response = await http.PostAsync("/api/v1/namespaces/default/pods", new StringContent(pod.ToJsonString(), Encoding.UTF8, "application/json"));
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
                var steps = new Dictionary<string, double> { ["api create answered"] = (DateTimeOffset.UtcNow - t0).TotalMilliseconds };
                timelines[name] = (t0, steps);
                var wait = Stopwatch.StartNew();
                while (true)
                {
                    var running = (await runtime.ListContainersAsync(new Dictionary<string, string> { [ContainerLabels.PodName] = name }, CancellationToken.None))
                        .FirstOrDefault(c => c.Kind == ContainerKind.App && c.State == Orchestrator.Runtime.ContainerState.Running && c.StartedAt is not null);
                    if (running is not null)
                    {
                        agent.Add((running.StartedAt!.Value - t0).TotalMilliseconds);
                        var sandbox = (await runtime.ListContainersAsync(new Dictionary<string, string> { [ContainerLabels.PodName] = name }, CancellationToken.None))
                            .FirstOrDefault(c => c.Kind == ContainerKind.Sandbox);
                        if (sandbox is not null)
                        {
                            steps["engine: sandbox created"] = (sandbox.CreatedAt - t0).TotalMilliseconds;
                            if (sandbox.StartedAt is { } sandboxStarted) steps["engine: sandbox started"] = (sandboxStarted - t0).TotalMilliseconds;
                        }
                        steps["engine: app created"] = (running.CreatedAt - t0).TotalMilliseconds;
                        steps["engine: app started"] = (running.StartedAt!.Value - t0).TotalMilliseconds;
                        break;
                    }
                    if (wait.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"pod {name} did not run:\n{node.Output}");
                    await Task.Delay(20);
                }
            }
        }
        finally
        {
            // The agent's own marks (debug log): "pod-start-timeline default/bench-0 sync=<unix ms> read=... ".
            foreach (var line in node.Output.Split('\n'))
            {
                var at = line.IndexOf("pod-start-timeline ", StringComparison.Ordinal);
                if (at < 0) continue;
                var parts = line[at..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2 || !timelines.TryGetValue(parts[1].Split('/')[^1], out var timeline)) continue;
                foreach (var part in parts.Skip(2))
                {
                    var eq = part.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0 && long.TryParse(part[(eq + 1)..], CultureInfo.InvariantCulture, out var unixMs))
                        timeline.Steps["agent: " + part[..eq]] = (DateTimeOffset.FromUnixTimeMilliseconds(unixMs) - timeline.T0).TotalMilliseconds;
                }
            }
            await node.Kill();
            var left = await runtime.ListContainersAsync(new Dictionary<string, string>(), CancellationToken.None);
            foreach (var c in left.Where(c => c.Kind == ContainerKind.App)) await runtime.RemoveContainerAsync(c.Id, CancellationToken.None);
            foreach (var c in left.Where(c => c.Kind == ContainerKind.Sandbox)) await runtime.RemovePodSandboxAsync(c.Id, CancellationToken.None);
        }
    }
    return (agent, timelines);
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
}

Console.WriteLine($"pods: {count}, one at a time{(scheduled ? ", bound by the scheduler" : "")}, image {Image}, {Environment.ProcessorCount} CPUs");
Console.WriteLine($"| path | p50 ms | p99 ms | mean ms | p50 ratio | p99 ratio |");
Console.WriteLine($"|---|---|---|---|---|---|");
void Row(string path, List<double> values) =>
    Console.WriteLine(FormattableString.Invariant($"| {path} | {Percentile(values, 50):0} | {Percentile(values, 99):0} | {values.Average():0} | {Percentile(values, 50) / Percentile(plain, 50):0.00}x | {Percentile(values, 99) / Percentile(plain, 99):0.00}x |"));
Row("Docker.DotNet create+start", plain);
Row("pod POST -> container running, own sandbox", own.Latencies);
Row("pod POST -> container running, warm pool (2)", pooled.Latencies);
foreach (var (title, timelines) in new[] { ("own sandbox", own.Timelines), ("warm pool", pooled.Timelines) })
{
    Console.WriteLine();
    Console.WriteLine($"where the time goes, {title} (median ms after the POST; agent: the agent's marks, engine: the engine's timestamps):");
    Console.WriteLine("| step | median ms | pods |");
    Console.WriteLine("|---|---|---|");
    foreach (var (step, values) in timelines.Values.SelectMany(t => t.Steps).GroupBy(kv => kv.Key)
        .Select(g => (g.Key, g.Select(kv => kv.Value).ToList())).OrderBy(s => Percentile(s.Item2, 50)))
        Console.WriteLine(FormattableString.Invariant($"| {step} | {Percentile(values, 50):0} | {values.Count} |"));
}
try
{
    Directory.Delete(folder, recursive: true);
}
catch (IOException)
{
}
