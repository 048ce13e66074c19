using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Orchestrator.TestSupport;

// Creates through the API of a real node process (SQLite journal, WAL), in one run:
//  1. open loop at a fixed rate (default 200 creates/s for 20 s) on a node 3 s after its start,
//     while the JIT still compiles the hot paths at their optimised tier: latency p50/p95/p99/max;
//  2. the same open loop again once the node is warm (after [warm-up seconds] of closed-loop load,
//     default 30): the steady state the latency target is about;
//  3. closed loop with N concurrent clients for 10 s: the sustained create rate.
//  4. one create at a time with a watch open: latency from the create to its ADDED watch event.
// Usage: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- [rate] [seconds] [concurrency] [warm-up seconds]
var rate = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
var warmUp = TimeSpan.FromSeconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 30);

await using var node = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { ["ORCHESTRATOR_LOG_LEVEL"] = "WARNING" });
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = node.BaseUrl };
// A short start: connection pool, first entity activations, the first JIT tier.
await ClosedLoop(http, "start", concurrency, TimeSpan.FromSeconds(3));
var cold = await OpenLoop(http, "cold", rate, TimeSpan.FromSeconds(seconds));
// Warm: the tiered JIT has recompiled what is hot (it spends seconds of CPU on that in the first
// minute, which is the tail of the cold run).
await ClosedLoop(http, "warm-up", concurrency, warmUp);
var open = await OpenLoop(http, "warm", rate, TimeSpan.FromSeconds(seconds));
var cpuBefore = node.TotalProcessorTime;
var closed = await ClosedLoop(http, "closed", concurrency, TimeSpan.FromSeconds(10));
// CPU the node spent per create: unlike latency, barely moved by other load on the machine.
var cpuPerCreate = (node.TotalProcessorTime - cpuBefore).TotalMilliseconds / Math.Max(1, closed.Count - closed.Errors);
var delivery = await WatchDelivery(http, 100);
var rss = node.WorkingSet / 1024 / 1024;

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine();
Console.WriteLine("| run | creates | creates/s | p50 ms | p95 ms | p99 ms | max ms | errors |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
Console.WriteLine(cold.Row($"open loop, target {rate}/s, from 3 s after the start"));
Console.WriteLine(open.Row($"open loop, target {rate}/s, warm"));
Console.WriteLine(closed.Row($"closed loop, {concurrency} clients"));
Console.WriteLine(delivery.Row("create -> watch event, one at a time"));
Console.WriteLine();
Console.WriteLine($"node CPU per create (closed loop): {cpuPerCreate:0.00} ms");
Console.WriteLine($"node RSS after the runs: {rss} MB");
Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");

static async Task<double> CreateOne(HttpClient http, string name)
{
    var body = $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"labels\":{{\"bench\":\"api\"}}}},\"data\":{{\"k\":\"v\"}}}}";
    var watch = Stopwatch.StartNew();
    using var response = await http.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent(body, Encoding.UTF8, "application/json"));
    var elapsed = watch.Elapsed.TotalMilliseconds;
    return response.StatusCode == HttpStatusCode.Created ? elapsed : -1;
}

static async Task<Result> OpenLoop(HttpClient http, string prefix, int rate, TimeSpan duration)
{
    var total = (int)(rate * duration.TotalSeconds);
    var tasks = new List<Task<double>>(total);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < total; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / rate);
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        tasks.Add(CreateOne(http, $"{prefix}-{i}"));
    }
    var latencies = await Task.WhenAll(tasks);
    return Result.From(latencies, clock.Elapsed);
}

static async Task<Result> ClosedLoop(HttpClient http, string prefix, int concurrency, TimeSpan duration)
{
    var clock = Stopwatch.StartNew();
    var all = new List<double>();
    var counter = 0;
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        var mine = new List<double>();
        while (clock.Elapsed < duration) mine.Add(await CreateOne(http, $"{prefix}-{Interlocked.Increment(ref counter)}"));
        return mine;
    }).ToList();
    foreach (var w in await Task.WhenAll(workers)) all.AddRange(w);
    return Result.From(all, clock.Elapsed);
}

// One create at a time; each latency is from sending the create to the ADDED event arriving on
// a watch opened before: the write path plus the index's journal polling, as a controller sees it.
static async Task<Result> WatchDelivery(HttpClient http, int count)
{
    var arrived = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource>();
    TaskCompletionSource Arrival(string name) => arrived.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    using var cancel = new CancellationTokenSource();
    var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default/configmaps?watch=1&labelSelector=bench%3Dwatch");
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
    response.EnsureSuccessStatusCode();
    var reader = Task.Run(async () =>
    {
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        while (await lines.ReadLineAsync(cancel.Token) is { } line)
        {
            var name = System.Text.Json.Nodes.JsonNode.Parse(line)?["object"]?["metadata"]?["name"]?.GetValue<string>();
            if (name is not null) Arrival(name).TrySetResult();
        }
    }, cancel.Token);
    var latencies = new List<double>(count);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var name = $"watch-{i}";
        var body = $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"labels\":{{\"bench\":\"watch\"}}}}}}";
        var started = Stopwatch.StartNew();
        using var created = await http.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent(body, Encoding.UTF8, "application/json"));
        if (created.StatusCode != HttpStatusCode.Created)
        {
            latencies.Add(-1);
            continue;
        }
        try
        {
            await Arrival(name).Task.WaitAsync(TimeSpan.FromSeconds(10));
            latencies.Add(started.Elapsed.TotalMilliseconds);
        }
        catch (TimeoutException)
        {
            latencies.Add(-1);
        }
    }
    var elapsed = clock.Elapsed;
    await cancel.CancelAsync();
    try
    {
        await reader;
    }
    catch (OperationCanceledException)
    {
    }
    return Result.From(latencies, elapsed);
}

internal sealed record Result(int Count, double PerSecond, double P50, double P95, double P99, double Max, int Errors)
{
    public static Result From(IReadOnlyCollection<double> latencies, TimeSpan elapsed)
    {
        var ok = latencies.Where(l => l >= 0).OrderBy(l => l).ToArray();
        double P(double q) => Percentiles.NearestRank(ok, q);
        return new Result(latencies.Count, ok.Length / elapsed.TotalSeconds, P(0.50), P(0.95), P(0.99), ok.Length == 0 ? double.NaN : ok[^1], latencies.Count - ok.Length);
    }

    public string Row(string name) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {Count} | {PerSecond:0} | {P50:0.0} | {P95:0.0} | {P99:0.0} | {Max:0.0} | {Errors} |");
}
