using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Orchestrator.Domain.Resources;
using Orchestrator.NodeAgent.Sync;
using Orchestrator.Runtime;

namespace Orchestrator.HollowBenchmarks;

/// <summary>What the bench saw of one pod, as <see cref="Stopwatch"/> timestamps (0: not yet).</summary>
internal sealed class PodTimes
{
    /// <summary>When the bench sent the create (direct creates only).</summary>
    public long Sent;

    /// <summary>When the pod's first event arrived on the watch.</summary>
    public long Seen;

    public long Bound;
    public long Running;
}

/// <summary>
/// The hollow agents' shared pod watch (one stream, <c>/api/v1/pods?watch=1</c>) and the bench's
/// clock. For each pod it notes when it appeared, when it was seen bound and when Running; every
/// pod newly bound to a hollow node is "started" by a hollow runtime at once and reported Running
/// through <c>pods/{name}/status</c> (PUT of the observed pod with the status the real agent's
/// <see cref="PodStatusBuilder"/> computes), <c>writers</c> writes at a time.
/// </summary>
internal sealed class HollowPods(HttpClient http, IReadOnlySet<string> hollowNodes, int writers)
{
    private readonly ConcurrentDictionary<string, PodTimes> _pods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private readonly Channel<JsonObject> _toStart = Channel.CreateUnbounded<JsonObject>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
    private long _lastResourceVersion;
    private int _running;
    private int _bound;
    private int _statusConflicts;
    private int _statusFailures;
    private int _watchRestarts;

    public IReadOnlyDictionary<string, PodTimes> Pods => _pods;

    public int RunningCount => Volatile.Read(ref _running);

    public int BoundCount => Volatile.Read(ref _bound);

    public int StatusConflicts => _statusConflicts;

    public int StatusFailures => _statusFailures;

    public int WatchRestarts => _watchRestarts;

    public long LastResourceVersion => Interlocked.Read(ref _lastResourceVersion);

    /// <summary>Notes a pod created by the bench itself at the time its create was sent.</summary>
    public void CreateSent(string key, long timestamp) => _pods.GetOrAdd(key, _ => new PodTimes()).Sent = timestamp;

    /// <summary>Watches from <paramref name="resourceVersion"/> and runs the status writers until cancelled.</summary>
    public Task RunAsync(long resourceVersion, CancellationToken ct)
    {
        _lastResourceVersion = resourceVersion;
        var writerTasks = Enumerable.Range(0, writers).Select(_ => Task.Run(() => WriteStatusesAsync(ct), CancellationToken.None));
        return Task.WhenAll(writerTasks.Append(Task.Run(() => WatchAsync(ct), CancellationToken.None)));
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/pods?watch=1&resourceVersion={LastResourceVersion}");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    if (line.Length == 0) continue;
                    Observe(JsonNode.Parse(line)!.AsObject(), Stopwatch.GetTimestamp());
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Console.Error.WriteLine($"pod watch broke ({e.Message}); resuming from {LastResourceVersion}");
            }
            Interlocked.Increment(ref _watchRestarts);
            await Task.Delay(500, ct);
        }
    }

    private void Observe(JsonObject watchEvent, long now)
    {
        var type = watchEvent["type"]?.GetValue<string>();
        if (watchEvent["object"] is not JsonObject pod) return;
        if (type == "ERROR") throw new IOException("watch error: " + pod.ToJsonString());
        if (long.TryParse(pod.Metadata()["resourceVersion"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
            Interlocked.Exchange(ref _lastResourceVersion, Math.Max(LastResourceVersion, rv));
        if (type == "DELETED") return;
        var key = $"{pod.Namespace()}/{pod.Name()}";
        var times = _pods.GetOrAdd(key, _ => new PodTimes());
        if (times.Seen == 0) times.Seen = now;
        var node = pod["spec"]?["nodeName"]?.GetValue<string>();
        if (string.IsNullOrEmpty(node)) return;
        if (times.Bound == 0)
        {
            times.Bound = now;
            Interlocked.Increment(ref _bound);
        }
        if (pod["status"]?["phase"]?.GetValue<string>() == "Running")
        {
            if (times.Running == 0)
            {
                times.Running = now;
                Interlocked.Increment(ref _running);
            }
            return;
        }
        if (hollowNodes.Contains(node) && _started.Add(key)) _toStart.Writer.TryWrite(pod);
    }

    private async Task WriteStatusesAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var pod in _toStart.Reader.ReadAllAsync(ct))
            {
                var current = pod;
                for (var attempt = 0; attempt < 5; attempt++)
                {
                    try
                    {
                        var updated = (JsonObject)current.DeepClone();
                        updated["status"] = HollowStatus(current);
                        using var response = await http.PutAsync($"/api/v1/namespaces/{current.Namespace()}/pods/{current.Name()}/status", HollowNodes.Json(updated), ct);
                        if (response.IsSuccessStatusCode) break;
                        if (response.StatusCode == HttpStatusCode.NotFound) break;
                        if (response.StatusCode != HttpStatusCode.Conflict)
                        {
                            Interlocked.Increment(ref _statusFailures);
                            await Task.Delay(200, ct);
                        }
                        else
                        {
                            Interlocked.Increment(ref _statusConflicts);
                        }
                        using var fresh = await http.GetAsync($"/api/v1/namespaces/{current.Namespace()}/pods/{current.Name()}", ct);
                        if (!fresh.IsSuccessStatusCode) break;
                        current = JsonNode.Parse(await fresh.Content.ReadAsStringAsync(ct))!.AsObject();
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref _statusFailures);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The status the real agent writes once every container of the pod runs (the hollow runtime starts them at once).</summary>
    private static JsonObject HollowStatus(JsonObject pod)
    {
        var now = DateTimeOffset.UtcNow;
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().Select((c, i) =>
        {
            var name = c["name"]!.GetValue<string>();
            var image = c["image"]?.GetValue<string>() ?? "";
            var run = new ContainerStatus($"hollow-{pod.Name()}-{i}", name, ContainerKind.App, null, image, ContainerState.Running, 0, now, now, null, 0, false, null, null,
                new Dictionary<string, string>());
            return new ContainerObservation(name, image, run, null, null, null, Ready: true, Terminal: false);
        }).ToList();
        var podIp = $"10.{Random.Shared.Next(64, 128)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";
        var status = PodStatusBuilder.Build(pod["status"] as JsonObject, podIp, "10.0.0.1", containers, now);
        if (pod["status"]?["qosClass"] is { } qos) status["qosClass"] = qos.DeepClone();
        return status;
    }
}
