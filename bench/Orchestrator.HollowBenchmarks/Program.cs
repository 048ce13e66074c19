using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.HollowBenchmarks;

// Kubemark-like: pods per second from API create to Running on many hollow nodes, through the real
// API, scheduler, controllers and journal of one node process. See docs/benchmarks.md.
// Usage: dotnet run -c Release --project bench/Orchestrator.HollowBenchmarks -- [options]
//   --nodes N          hollow nodes (default 1000)
//   --pods N           pods per scenario (default 10000)
//   --mode rs|pods|both  rs: ReplicaSets create the pods; pods: the bench creates them directly (default both)
//   --replicasets N    ReplicaSets in rs mode, pods/N replicas each (default 10)
//   --concurrency N    concurrent creates in pods mode (default 32)
//   --writers N        concurrent status writes of the hollow agents (default 32)
//   --heartbeat S      seconds between two heartbeats of one hollow node (default 60)
//   --stall S          give up when no pod became Running for S seconds (default 120)
//   --quick            50 nodes, 500 pods (a smoke run)
var options = Options.Parse(args);
Console.WriteLine($"hollow bench: {options.Nodes} nodes, {options.Pods} pods, mode {options.Mode}, heartbeat {options.Heartbeat.TotalSeconds:0}s; " +
                  $"machine {Environment.ProcessorCount} cores, load {LoadAverage()}");
var rows = new List<Row>();
foreach (var mode in options.Mode == "both" ? ["rs", "pods"] : new[] { options.Mode })
    rows.Add(await RunScenario(options, mode));

Console.WriteLine();
Console.WriteLine("| scenario | nodes | pods | Running | pods/s (first create → last Running) | pods/s (middle 80%) | pods seen/s | scheduling p50 / p99 ms | create → Running p50 / p99 ms | journal writes/s | node CPU s (ms per pod) | hollow nodes' CPU s (ms per pod) | node peak RSS MiB | load avg (start → end) |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var row in rows) Console.WriteLine(row.Markdown());
return rows.All(r => r.Running == r.Pods) ? 0 : 1;

static async Task<Row> RunScenario(Options options, string mode)
{
    var loadStart = LoadAverage();
    Console.WriteLine($"--- scenario {mode}: starting the node");
    await using var node = await NodeUnderTest.StartAsync(options.Heartbeat * 4);
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = node.Api,
        Timeout = TimeSpan.FromMinutes(2),
    };
    using var stop = new CancellationTokenSource();

    var nodes = new HollowNodes(http, options.Nodes, options.Heartbeat);
    var registering = Stopwatch.StartNew();
    await nodes.RegisterAsync(16, stop.Token);
    while (await CountAsync(http, "/api/v1/nodes") < options.Nodes) await Task.Delay(200);
    Console.WriteLine($"node process pid {node.Pid}");
    Console.WriteLine($"registered {options.Nodes} hollow nodes in {registering.Elapsed.TotalSeconds:0.0}s ({options.Nodes / registering.Elapsed.TotalSeconds:0}/s)");
    // The scheduler learns of nodes through its own watch; give it a moment to have all of them.
    await Task.Delay(TimeSpan.FromSeconds(2));

    var heartbeats = nodes.HeartbeatAsync(stop.Token);
    var startRv = await ResourceVersionAsync(http);
    var pods = new HollowPods(http, nodes.Names.ToHashSet(StringComparer.Ordinal), options.Writers);
    var agents = pods.RunAsync(startRv, stop.Token);
    var cpuStart = node.CpuSeconds();
    var benchCpuStart = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    var t0 = Stopwatch.GetTimestamp();
    var creating = mode == "rs" ? CreateReplicaSetsAsync(http, options) : CreatePodsAsync(http, pods, options);

    var lastRunning = 0;
    var lastProgress = Stopwatch.GetTimestamp();
    while (pods.RunningCount < options.Pods)
    {
        await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(5)), creating.IsFaulted ? creating : Task.Delay(Timeout.Infinite));
        if (creating.IsFaulted) await creating;
        var running = pods.RunningCount;
        if (running != lastRunning) lastProgress = Stopwatch.GetTimestamp();
        lastRunning = running;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {Stopwatch.GetElapsedTime(t0).TotalSeconds,6:0}s seen {pods.Pods.Count(p => p.Value.Seen != 0),6} bound {pods.BoundCount,6} running {running,6}  node RSS {node.RssMiB()} MiB, CPU {node.CpuSeconds() - cpuStart:0}s, load {LoadAverage()}"));
        if (Stopwatch.GetElapsedTime(lastProgress) > options.Stall)
        {
            Console.WriteLine($"  no pod became Running for {options.Stall.TotalSeconds:0}s: giving up");
            break;
        }
    }
    await creating;
    var endRv = await ResourceVersionAsync(http);
    var cpu = node.CpuSeconds() - cpuStart;
    // The hollow nodes run in this process, on the same cores as the node (kubemark puts them on
    // other machines): their share is reported beside the node's.
    var benchCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - benchCpuStart;
    var peak = node.PeakRssMiB();
    await stop.CancelAsync();
    await agents;
    await heartbeats;
    Console.WriteLine($"  heartbeats {nodes.Heartbeats} ({nodes.HeartbeatFailures} failed), status conflicts {pods.StatusConflicts}, status failures {pods.StatusFailures}, watch restarts {pods.WatchRestarts}");

    var times = pods.Pods.Values.ToList();
    var runningAt = times.Where(t => t.Running != 0).Select(t => Seconds(t0, t.Running)).Order().ToArray();
    var seenAt = times.Where(t => t.Seen != 0).Select(t => Seconds(t0, t.Seen)).Order().ToArray();
    var scheduling = times.Where(t => t.Bound != 0 && t.Seen != 0).Select(t => Seconds(t.Seen, t.Bound) * 1000).Order().ToArray();
    var startup = times.Where(t => t.Running != 0).Select(t => Seconds(t.Sent != 0 ? t.Sent : t.Seen, t.Running) * 1000).Order().ToArray();
    var wall = runningAt.Length == 0 ? double.NaN : runningAt[^1];
    var middle = runningAt.Length >= 10
        ? 0.8 * runningAt.Length / (runningAt[(int)(0.9 * runningAt.Length) - 1] - runningAt[(int)(0.1 * runningAt.Length)])
        : double.NaN;
    return new Row(
        mode == "rs" ? $"{options.ReplicaSets} ReplicaSets × {options.Pods / options.ReplicaSets}" : $"direct pod creates, {options.Concurrency} at a time",
        options.Nodes, options.Pods, runningAt.Length, runningAt.Length / wall, middle,
        seenAt.Length == 0 ? double.NaN : seenAt.Length / seenAt[^1],
        Percentile(scheduling, 0.50), Percentile(scheduling, 0.99), Percentile(startup, 0.50), Percentile(startup, 0.99),
        (endRv - startRv) / wall, cpu, benchCpu, peak, $"{loadStart} → {LoadAverage()}");
}

static async Task CreateReplicaSetsAsync(HttpClient http, Options options)
{
    var replicas = options.Pods / options.ReplicaSets;
    for (var i = 0; i < options.ReplicaSets; i++)
    {
        var rs = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject { ["name"] = $"bench-{i}" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = $"bench-{i}" } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = $"bench-{i}" } },
                    ["spec"] = PodSpec(),
                },
            },
        };
        for (var attempt = 0; ; attempt++)
        {
            using var response = await http.PostAsync("/apis/apps/v1/namespaces/default/replicasets", HollowNodes.Json(rs));
            // A timed-out create (504) may still have been applied: the retry then finds it (409).
            if (response.StatusCode == HttpStatusCode.Created || (attempt > 0 && response.StatusCode == HttpStatusCode.Conflict)) break;
            if (attempt >= 3 || response.StatusCode != HttpStatusCode.GatewayTimeout)
                throw new InvalidOperationException($"creating ReplicaSet bench-{i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}

static async Task CreatePodsAsync(HttpClient http, HollowPods pods, Options options)
{
    var failures = 0;
    await Parallel.ForEachAsync(Enumerable.Range(0, options.Pods), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (i, ct) =>
    {
        var name = $"direct-{i:D5}";
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "direct" } },
            ["spec"] = PodSpec(),
        };
        for (var attempt = 0; ; attempt++)
        {
            pods.CreateSent($"default/{name}", Stopwatch.GetTimestamp());
            using var response = await http.PostAsync("/api/v1/namespaces/default/pods", HollowNodes.Json(pod), ct);
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict) return;
            if (attempt >= 3) throw new InvalidOperationException($"creating pod {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            Interlocked.Increment(ref failures);
        }
    });
    if (failures > 0) Console.WriteLine($"  {failures} pod creates were retried");
}

static JsonObject PodSpec() => new()
{
    ["containers"] = new JsonArray(new JsonObject
    {
        ["name"] = "app",
        ["image"] = "orchestrator/busybox",
        ["command"] = new JsonArray("sleep", "3600"),
        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "10m", ["memory"] = "16Mi" } },
    }),
};

static async Task<int> CountAsync(HttpClient http, string path)
{
    var list = JsonNode.Parse(await http.GetStringAsync(path))!;
    return list["items"]!.AsArray().Count;
}

// The journal head as the index has seen it (every list is a consistent read and carries it).
static async Task<long> ResourceVersionAsync(HttpClient http)
{
    var list = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces"))!;
    return long.Parse(list["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
}

static double Seconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalSeconds;

static double Percentile(double[] sorted, double q) => Orchestrator.TestSupport.Percentiles.NearestRank(sorted, q);

static string LoadAverage()
{
    try
    {
        return File.ReadAllText("/proc/loadavg").Split(' ')[0];
    }
    catch (IOException)
    {
        return "?";
    }
}

internal sealed record Options(int Nodes, int Pods, string Mode, int ReplicaSets, int Concurrency, int Writers, TimeSpan Heartbeat, TimeSpan Stall)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(1000, 10_000, "both", 10, 32, 32, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120));
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--nodes" => o with { Nodes = Int() },
                "--pods" => o with { Pods = Int() },
                "--mode" => o with { Mode = Next() switch { var m when m is "rs" or "pods" or "both" => m, _ => throw new ArgumentException("--mode is rs, pods or both") } },
                "--replicasets" => o with { ReplicaSets = Int() },
                "--concurrency" => o with { Concurrency = Int() },
                "--writers" => o with { Writers = Int() },
                "--heartbeat" => o with { Heartbeat = TimeSpan.FromSeconds(Int()) },
                "--stall" => o with { Stall = TimeSpan.FromSeconds(Int()) },
                "--quick" => o with { Nodes = 50, Pods = 500, ReplicaSets = 5 },
                var other => throw new ArgumentException($"unknown option {other}"),
            };
        }
        return o;
    }
}

internal sealed record Row(
    string Scenario, int Nodes, int Pods, int Running, double PerSecond, double Middle, double SeenPerSecond,
    double SchedulingP50, double SchedulingP99, double StartupP50, double StartupP99,
    double JournalWritesPerSecond, double NodeCpuSeconds, double BenchCpuSeconds, long PeakRssMiB, string Load)
{
    public string Markdown() => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Nodes:N0} | {Pods:N0} | {Running:N0} | {PerSecond:0} | {Middle:0} | {SeenPerSecond:0} | {SchedulingP50:0} / {SchedulingP99:0} | {StartupP50:0} / {StartupP99:0} | {JournalWritesPerSecond:0} | {NodeCpuSeconds:0} ({NodeCpuSeconds * 1000 / Math.Max(1, Running):0}) | {BenchCpuSeconds:0} ({BenchCpuSeconds * 1000 / Math.Max(1, Running):0}) | {PeakRssMiB:N0} | {Load} |");
}
