using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.NodeAgent;
using Orchestrator.Runtime;

namespace Orchestrator.HollowBenchmarks;

/// <summary>
/// Hollow nodes (after Kubernetes' kubemark): each registers a Node through the API exactly as the
/// real agent builds it (<see cref="NodeRegistration"/>, here with 32 CPUs, 128 GiB, 110 pods) and
/// renews its Ready heartbeat through <c>nodes/{name}/status</c>, spread evenly over the interval so
/// the heartbeats of all nodes form a steady trickle of writes instead of bursts.
/// </summary>
internal sealed class HollowNodes(HttpClient http, int count, TimeSpan heartbeatInterval)
{
    private static readonly RuntimeInfo HollowRuntime = new("hollow", "0.0.0", "0", "hollow", "hollow", "x86_64", 32, 128L << 30, "hollow");

    private readonly Dictionary<string, JsonObject> _nodes = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _nodes.Keys;

    private int _heartbeats;
    private int _heartbeatFailures;

    public int Heartbeats => Volatile.Read(ref _heartbeats);

    public int HeartbeatFailures => Volatile.Read(ref _heartbeatFailures);

    public static string NameOf(int i) => $"hollow-{i:D4}";

    /// <summary>Registers every node, <paramref name="concurrency"/> at a time.</summary>
    public async Task RegisterAsync(int concurrency, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var name = NameOf(i);
            // A hollow node's address is made up; nothing connects to it.
            var node = NodeRegistration.Node(name, HollowRuntime, $"10.{i / 250}.{i % 250}.1", null, now);
            node.Metadata()["labels"]!["orchestrator.io/hollow"] = "true";
            _nodes[name] = node;
        }
        await Parallel.ForEachAsync(_nodes, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (pair, token) =>
        {
            using var response = await http.PostAsync("/api/v1/nodes", Json(pair.Value), token);
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"registering {pair.Key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
        });
    }

    /// <summary>Renews one node's heartbeat every interval / count, round robin, until cancelled.</summary>
    public async Task HeartbeatAsync(CancellationToken ct)
    {
        var names = _nodes.Keys.ToArray();
        var every = heartbeatInterval / names.Length;
        using var timer = new PeriodicTimer(every < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : every);
        var next = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var name = names[next];
                next = (next + 1) % names.Length;
                // No resourceVersion: the agent is the only writer of its node's status, as in the real agent.
                var body = NodeRegistration.WithHeartbeat(_nodes[name], DateTimeOffset.UtcNow);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        using var response = await http.PutAsync($"/api/v1/nodes/{name}/status", Json(body), ct);
                        if (response.IsSuccessStatusCode) Interlocked.Increment(ref _heartbeats);
                        else Interlocked.Increment(ref _heartbeatFailures);
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        Interlocked.Increment(ref _heartbeatFailures);
                    }
                }, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
