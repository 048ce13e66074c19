using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// A client that watches one collection as client-go's reflector does: it watches from the last
/// resourceVersion it saw and, when the stream breaks, ends with an ERROR event or cannot be opened,
/// watches again from there after a short backoff; a 410 Gone (its version is no longer served)
/// makes it list again and watch from the list's resourceVersion. It records the names it saw in
/// watch events and how often it had to relist, so a test can tell whether any event was lost.
/// Bounded: at most <c>attempts</c> watch requests.
/// </summary>
public sealed class ReflectorWatch : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _path;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private string _lastVersion;
    private int _relists;
    private int _watches;

    /// <summary>Names of the objects seen in watch events (not in relists).</summary>
    public ConcurrentDictionary<string, bool> Seen { get; } = new(StringComparer.Ordinal);

    /// <summary>How often a 410 Gone made the client list again: each may hide lost events.</summary>
    public int Relists => _relists;

    /// <summary>How many watch requests were made (the first one and every reconnect).</summary>
    public int Watches => _watches;

    /// <param name="path">The collection, e.g. <c>/api/v1/namespaces/default/configmaps</c>.</param>
    /// <param name="fromVersion">The resourceVersion to watch from (the client's last seen).</param>
    public ReflectorWatch(HttpClient http, string path, string fromVersion, int attempts = 500, TimeSpan? backoff = null)
    {
        _http = http;
        _path = path;
        _lastVersion = fromVersion;
        _loop = Task.Run(() => Run(attempts, backoff ?? TimeSpan.FromMilliseconds(250)));
    }

    private async Task Run(int attempts, TimeSpan backoff)
    {
        var ct = _stop.Token;
        for (var attempt = 0; attempt < attempts && !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                Interlocked.Increment(ref _watches);
                if (await WatchOnce(ct)) await Relist(ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // The member could not serve the watch (refused, 503, stream cut): try again, as a client does.
            }
            // A client's reconnect backoff (bounded by the attempt count), not a wait for a result.
            await Task.Delay(backoff, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One watch request, read to its end; true when it ended with 410 Gone.</summary>
    private async Task<bool> WatchOnce(CancellationToken ct)
    {
        using var response = await _http.GetAsync($"{_path}?watch=true&resourceVersion={_lastVersion}", HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.Gone) return true;
        if (!response.IsSuccessStatusCode) return false;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var e = JsonNode.Parse(line)!;
            if (e["type"]!.GetValue<string>() == "ERROR") return e["object"]?["code"]?.GetValue<int>() == 410;
            _lastVersion = e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>();
            Seen[e["object"]!["metadata"]!["name"]!.GetValue<string>()] = true;
        }
        return false;
    }

    private async Task Relist(CancellationToken ct)
    {
        Interlocked.Increment(ref _relists);
        var list = JsonNode.Parse(await _http.GetStringAsync(_path, ct))!;
        _lastVersion = list["metadata"]!["resourceVersion"]!.GetValue<string>();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ContinueWith(_ => { }, TaskScheduler.Default); // ends by the cancellation
        _stop.Dispose();
    }
}
