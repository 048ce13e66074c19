using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Scheduling;

// Scheduling throughput of the pure scheduler: N simulated nodes (4 cpu / 16 GiB, a tenth of them
// tainted, a tenth labelled zone=b), M pods from 100 owners with mixed requests (some with a
// nodeSelector, some with a toleration, a few with a host port). Each pod is parsed from its JSON
// (as the scheduler actor does), scheduled and assumed on its node. Prints pods/s, p50/p99 decision
// latency and peak memory. Usage: [nodes] [pods] [strategy: spread|binpack] [percentage of nodes to
// score: 0 adapts to the cluster's size (the default), 100 scores every node]
var nodeCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000;
var podCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var scheduler = PodScheduler.ForStrategy(args.Length > 2 ? args[2] : "spread")
    .WithPercentageOfNodesToScore(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0);
var random = new Random(42);

var cache = new SchedulingCache();
for (var i = 0; i < nodeCount; i++)
{
    var node = new JsonObject
    {
        ["metadata"] = new JsonObject { ["name"] = $"node-{i:D4}", ["labels"] = new JsonObject { ["zone"] = i % 10 == 0 ? "b" : "a" } },
        ["spec"] = new JsonObject { ["taints"] = i % 10 == 1 ? new JsonArray(new JsonObject { ["key"] = "dedicated", ["value"] = "db", ["effect"] = "NoSchedule" }) : null },
        ["status"] = new JsonObject
        {
            ["allocatable"] = new JsonObject { ["cpu"] = "4", ["memory"] = "16Gi", ["pods"] = "110" },
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
        },
    };
    cache.UpsertNode(NodeState.FromNode(node));
}

var pods = Enumerable.Range(0, podCount).Select(i =>
{
    var spec = new JsonObject
    {
        ["containers"] = new JsonArray(new JsonObject
        {
            ["name"] = "c",
            ["image"] = "nginx",
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = $"{50 + random.Next(4) * 50}m", ["memory"] = $"{64 + random.Next(8) * 64}Mi" } },
            ["ports"] = i % 50 == 0 ? new JsonArray(new JsonObject { ["containerPort"] = 80, ["hostPort"] = 8080 }) : null,
        }),
    };
    if (i % 7 == 0) spec["nodeSelector"] = new JsonObject { ["zone"] = "b" };
    if (i % 11 == 0) spec["tolerations"] = new JsonArray(new JsonObject { ["key"] = "dedicated", ["operator"] = "Exists" });
    return new JsonObject
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = $"pod-{i}",
            ["namespace"] = "default",
            ["ownerReferences"] = new JsonArray(new JsonObject { ["uid"] = $"owner-{i % 100}", ["controller"] = true }),
        },
        ["spec"] = spec,
    };
}).ToList();

GC.Collect();
var latencies = new double[podCount];
var unschedulable = 0;
var peak = 0L;
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var total = Stopwatch.StartNew();
for (var i = 0; i < podCount; i++)
{
    var start = Stopwatch.GetTimestamp();
    var demand = PodDemand.FromPod(pods[i]);
    var result = scheduler.Schedule(demand, cache.Nodes);
    if (result.NodeName is { } chosen) cache.AddPod(chosen, demand);
    else unschedulable++;
    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    if (i % 500 == 0) peak = Math.Max(peak, GC.GetTotalMemory(false));
}
total.Stop();
var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
peak = Math.Max(peak, GC.GetTotalMemory(false));
Array.Sort(latencies);
double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
var busiest = cache.Nodes.Max(n => n.PodCount);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"""
    scheduler benchmark: {nodeCount} nodes, {podCount} pods, strategy {(args.Length > 2 ? args[2] : "spread")}
      throughput      {podCount / total.Elapsed.TotalSeconds:F0} pods/s ({total.Elapsed.TotalMilliseconds:F0} ms)
      per cpu second  {podCount / cpu.TotalSeconds:F0} pods/s ({cpu.TotalMilliseconds:F0} ms of cpu; wall-clock figures suffer on a busy machine)
      decision p50    {P(0.50) / 1000:F3} ms
      decision p99    {P(0.99) / 1000:F3} ms
      decision max    {latencies[^1] / 1000:F3} ms
      unschedulable   {unschedulable}
      busiest node    {busiest} pods
      peak managed    {peak / (1024.0 * 1024):F1} MiB (working set {Environment.WorkingSet / (1024.0 * 1024):F1} MiB, peak {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F1} MiB)
    """));
