using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

// Creates through the API of a real node process (SQLite journal, WAL), in one run:
//  1. open loop at a fixed rate (default 200 creates/s for 20 s): latency p50/p95/p99/max;
//  2. closed loop with N concurrent clients for 10 s: the sustained create rate.
// Usage: dotnet run -c Release --project bench/Orchestrator.Benchmarks -- [rate] [seconds] [concurrency]
var rate = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;

var dataDir = Directory.CreateTempSubdirectory("orchestrator-bench-").FullName;
var port = FreePort();
var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "orchestrator.dll")])
{
    UseShellExecute = false,
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    WorkingDirectory = AppContext.BaseDirectory,
};
start.Environment["ORCHESTRATOR_DATA_DIR"] = dataDir;
start.Environment["ORCHESTRATOR_API_PORT"] = port.ToString(CultureInfo.InvariantCulture);
start.Environment["ORCHESTRATOR_AKKA_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
start.Environment["ORCHESTRATOR_PBM_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
start.Environment["ORCHESTRATOR_LOG_LEVEL"] = "WARNING";
using var node = Process.Start(start)!;
node.OutputDataReceived += (_, _) => { };
node.ErrorDataReceived += (_, _) => { };
node.BeginOutputReadLine();
node.BeginErrorReadLine();

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
try
{
    await WaitReady(http);
    // Warm-up: JIT, connection pool, first entity activations.
    await ClosedLoop(http, "warmup", concurrency, TimeSpan.FromSeconds(3));

    var open = await OpenLoop(http, rate, TimeSpan.FromSeconds(seconds));
    var closed = await ClosedLoop(http, "closed", concurrency, TimeSpan.FromSeconds(10));
    node.Refresh();
    var rss = node.WorkingSet64 / 1024 / 1024;

    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
    Console.WriteLine();
    Console.WriteLine("| run | creates | creates/s | p50 ms | p95 ms | p99 ms | max ms | errors |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    Console.WriteLine(open.Row($"open loop, target {rate}/s"));
    Console.WriteLine(closed.Row($"closed loop, {concurrency} clients"));
    Console.WriteLine();
    Console.WriteLine($"node RSS after the runs: {rss} MB");
}
finally
{
    node.Kill(entireProcessTree: true);
    await node.WaitForExitAsync();
    Directory.Delete(dataDir, recursive: true);
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task WaitReady(HttpClient http)
{
    var deadline = DateTime.UtcNow.AddSeconds(90);
    while (DateTime.UtcNow < deadline)
    {
        try
        {
            if ((await http.GetAsync("/readyz")).IsSuccessStatusCode) return;
        }
        catch (HttpRequestException)
        {
        }
        await Task.Delay(200);
    }
    throw new TimeoutException("the node did not become ready");
}

static async Task<double> CreateOne(HttpClient http, string name)
{
    var body = $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"labels\":{{\"bench\":\"api\"}}}},\"data\":{{\"k\":\"v\"}}}}";
    var watch = Stopwatch.StartNew();
    using var response = await http.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent(body, Encoding.UTF8, "application/json"));
    var elapsed = watch.Elapsed.TotalMilliseconds;
    return response.StatusCode == HttpStatusCode.Created ? elapsed : -1;
}

static async Task<Result> OpenLoop(HttpClient http, int rate, TimeSpan duration)
{
    var total = (int)(rate * duration.TotalSeconds);
    var tasks = new List<Task<double>>(total);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < total; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / rate);
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        tasks.Add(CreateOne(http, $"open-{i}"));
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

internal sealed record Result(int Count, double PerSecond, double P50, double P95, double P99, double Max, int Errors)
{
    public static Result From(IReadOnlyCollection<double> latencies, TimeSpan elapsed)
    {
        var ok = latencies.Where(l => l >= 0).OrderBy(l => l).ToArray();
        double P(double q) => ok.Length == 0 ? double.NaN : ok[Math.Min(ok.Length - 1, (int)Math.Ceiling(q * ok.Length) - 1)];
        return new Result(latencies.Count, ok.Length / elapsed.TotalSeconds, P(0.50), P(0.95), P(0.99), ok.Length == 0 ? double.NaN : ok[^1], latencies.Count - ok.Length);
    }

    public string Row(string name) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {Count} | {PerSecond:0} | {P50:0.0} | {P95:0.0} | {P99:0.0} | {Max:0.0} | {Errors} |");
}
