using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Orchestrator.TestSupport;

// A well-behaved client's latency with and without a flood of malformed requests (issue 19), in one
// run against one node process (SQLite journal): the client creates a ConfigMap and reads it back,
// one request at a time, for [seconds] (default 20) on a quiet node, then again for as long while
// [workers] (default 8) concurrent workers send the hostile shapes of HostileFlood (alias bombs,
// deep nesting, 4 MiB bodies, invalid UTF-8, repeated keys, copy-bomb patches) as fast as answered,
// from another loopback address (127.0.0.2: another client to the API's per-client fairness).
// Prints p50/p99 of both runs, their ratio (the goal: p99 within 2x), the flood's answers by status
// and the node's peak working set.
// With "unfair" last, the node runs without per-client fairness (orchestrator.api.fairness.enabled
// = off), for an A/B in one sitting.
// Usage: dotnet run -c Release --project bench/Orchestrator.FloodBenchmarks -- [seconds] [workers] [unfair]
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
var duration = TimeSpan.FromSeconds(seconds);
var unfair = args.Length > 2 && args[2] == "unfair";

await using var node = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { ["ORCHESTRATOR_LOG_LEVEL"] = "WARNING", ["ORCHESTRATOR_NODE_AGENT"] = "off" },
    settings: unfair ? ["orchestrator.api.fairness.enabled = off"] : null);
// Two clients to the API's per-client fairness: the good one from 127.0.0.1, the flood from 127.0.0.2.
using var http = node.CreateHttpClient(source: IPAddress.Loopback);
using var floodHttp = node.CreateHttpClient(timeout: TimeSpan.FromSeconds(60), source: IPAddress.Parse("127.0.0.2"), maxConnections: 256);
await http.PostAsync("/api/v1/namespaces", Json("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"flood"}}"""));

await GoodClient(http, "warm-up", TimeSpan.FromSeconds(10)); // JIT and connection pool
var quiet = await GoodClient(http, "quiet", duration);
var flood = new HostileFlood(floodHttp, "flood");
using var stop = new CancellationTokenSource();
var cpuBefore = node.TotalProcessorTime;
var flooding = flood.Run(workers, int.MaxValue, stop.Token);
var loaded = await GoodClient(http, "flooded", duration);
await stop.CancelAsync();
await flooding;
var floodCpu = node.TotalProcessorTime - cpuBefore;

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; per-client fairness {(unfair ? "off" : "on")}");
Console.WriteLine();
Console.WriteLine("| good client (create + get, one at a time) | requests | p50 ms | p99 ms | max ms | errors |");
Console.WriteLine("|---|---|---|---|---|---|");
Console.WriteLine(quiet.Row("without the flood"));
Console.WriteLine(loaded.Row($"with the flood ({workers} workers)"));
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p50 ratio {loaded.P50 / quiet.P50:0.00}x, p99 ratio {loaded.P99 / quiet.P99:0.00}x (goal: p99 within 2x)"));
Console.WriteLine($"flood: {flood.Answers.Count} malformed requests in {seconds} s ({flood.Answers.Count / duration.TotalSeconds:0}/s): "
    + string.Join(", ", flood.Answers.GroupBy(a => a.Code).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "connection closed" : g.Key.ToString(CultureInfo.InvariantCulture))} x{g.Count()}")));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"node CPU during the flooded run: {floodCpu.TotalSeconds:0.0} s; node peak working set: {node.PeakWorkingSet / 1024 / 1024} MiB"));
Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");

static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

static async Task<Result> GoodClient(HttpClient http, string prefix, TimeSpan duration)
{
    var latencies = new List<double>();
    var clock = Stopwatch.StartNew();
    for (var i = 0; clock.Elapsed < duration; i++)
    {
        var name = $"{prefix}-{i}";
        var started = Stopwatch.StartNew();
        using var created = await http.PostAsync("/api/v1/namespaces/flood/configmaps", Json(HostileGenerators.ConfigMapJson(name)));
        latencies.Add(created.StatusCode == HttpStatusCode.Created ? started.Elapsed.TotalMilliseconds : -1);
        started.Restart();
        using var read = await http.GetAsync($"/api/v1/namespaces/flood/configmaps/{name}");
        latencies.Add(read.StatusCode == HttpStatusCode.OK ? started.Elapsed.TotalMilliseconds : -1);
    }
    return Result.From(latencies);
}

internal sealed record Result(int Count, double P50, double P99, double Max, int Errors)
{
    public static Result From(IReadOnlyCollection<double> latencies)
    {
        var ok = latencies.Where(l => l >= 0).OrderBy(l => l).ToArray();
        double P(double q) => Percentiles.NearestRank(ok, q);
        return new Result(latencies.Count, P(0.50), P(0.99), ok.Length == 0 ? double.NaN : ok[^1], latencies.Count - ok.Length);
    }

    public string Row(string name) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {Count} | {P50:0.0} | {P99:0.0} | {Max:0.0} | {Errors} |");
}
