using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Deploy.Tests;

/// <summary>
/// Creates ConfigMaps with unique names and values, one every <c>interval</c>, through the members'
/// APIs in turn, and records every write the API acknowledged (201) with its value and time, and
/// every refusal by status. Afterwards <see cref="LostAsync"/> says which acknowledged writes are
/// missing or changed. Bounded: each request has a timeout and the loop stops when disposed.
/// </summary>
public sealed class AcknowledgedWriter : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly IReadOnlyList<int> _ports;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>name → value of every acknowledged create.</summary>
    public ConcurrentDictionary<string, string> Acknowledged { get; } = new();

    /// <summary>Outcome ("503", "504", "unreachable", ...) → count, for writes not acknowledged.</summary>
    public ConcurrentDictionary<string, int> Refused { get; } = new();

    /// <summary>(time since the start, outcome, how long the answer took) of every write, in order.</summary>
    public ConcurrentQueue<(TimeSpan At, string Outcome, TimeSpan Took)> Log { get; } = new();

    public TimeSpan Now => _clock.Elapsed;

    public AcknowledgedWriter(string token, IReadOnlyList<int> apiPorts, TimeSpan interval)
    {
        // The members' certificates are self-signed, each its own; the writer talks to 127.0.0.1 only.
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _ports = apiPorts;
        _interval = interval;
        _loop = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var name = $"ack-{i:D6}";
            var value = Guid.NewGuid().ToString("N");
            var port = _ports[i % _ports.Count];
            var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name }, ["data"] = new JsonObject { ["v"] = value } };
            var started = _clock.Elapsed;
            string outcome;
            try
            {
                using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                using var answer = await _http.PostAsync(new Uri($"https://127.0.0.1:{port}/api/v1/namespaces/default/configmaps"), content, _stop.Token);
                outcome = ((int)answer.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (answer.StatusCode == HttpStatusCode.Created) Acknowledged[name] = value;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                outcome = e is TaskCanceledException ? "timeout" : "unreachable";
            }
            Log.Enqueue((started, outcome, _clock.Elapsed - started));
            if (outcome != "201") Refused.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            try
            {
                await Task.Delay(_interval, _stop.Token); // the writer's pace, not a wait for a condition
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The first acknowledged write that started after <paramref name="since"/>, if any.</summary>
    public TimeSpan? FirstAcknowledgedAfter(TimeSpan since) =>
        Log.Where(l => l.At >= since && l.Outcome == "201").Select(l => (TimeSpan?)(l.At + l.Took)).FirstOrDefault();

    /// <summary>The writes that started in [from, to) and their outcomes.</summary>
    public IReadOnlyList<(TimeSpan At, string Outcome, TimeSpan Took)> Between(TimeSpan from, TimeSpan to) =>
        Log.Where(l => l.At >= from && l.At < to).ToList();

    /// <summary>Acknowledged writes that <paramref name="port"/>'s API (a consistent list) lacks or holds with another value.</summary>
    public async Task<IReadOnlyList<string>> LostAsync(int port)
    {
        var listed = JsonNode.Parse(await _http.GetStringAsync(new Uri($"https://127.0.0.1:{port}/api/v1/namespaces/default/configmaps")))!;
        var stored = listed["items"]!.AsArray().ToDictionary(o => o!["metadata"]!["name"]!.GetValue<string>(), o => o!["data"]?["v"]?.GetValue<string>());
        return Acknowledged.Where(a => !stored.TryGetValue(a.Key, out var value) || value != a.Value).Select(a => a.Key).Order().ToList();
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }
}
