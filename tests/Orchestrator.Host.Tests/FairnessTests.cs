using System.Net;
using Orchestrator.TestSupport;

using static Orchestrator.Host.Tests.HttpJson;

namespace Orchestrator.Host.Tests;

/// <summary>
/// Per-client fairness (issue 19) against a node process with tiny limits (one request in flight,
/// no queue, a budget of one refusal a minute): a client that spent its budget is answered 429
/// TooManyRequests with Retry-After at once, while a client from another loopback address, the
/// probes and a long-running watch are served as before.
/// </summary>
public sealed class FairnessTests : IAsyncLifetime
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    private NodeProcess _node = null!;

    public async Task InitializeAsync() =>
        _node = await NodeProcess.StartAsync(environment: NodeFixture.ApiOnly, settings:
            ["orchestrator.api.fairness { max-in-flight = 1, max-queued = 0, max-wait = 1s, refusals-per-second = 0.016, refusal-burst = 1 }"]);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_client_over_its_refusal_budget_gets_429_with_retry_after_while_another_client_is_served()
    {
        using var bad = _node.CreateHttpClient(source: IPAddress.Parse("127.0.0.3"));
        using var good = _node.CreateHttpClient(source: IPAddress.Parse("127.0.0.4"));

        Assert.Equal(HttpStatusCode.BadRequest, (await bad.PostAsync(ConfigMaps, Json("{\"kind\":"))).StatusCode);
        var refused = await bad.GetAsync(ConfigMaps);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var status = await Body(refused);
        Assert.Equal("TooManyRequests", status["reason"]!.GetValue<string>());
        Assert.Equal(429, status["code"]!.GetValue<int>());
        Assert.Contains("orchestrator.api.fairness", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter >= TimeSpan.FromSeconds(30), $"Retry-After {retryAfter}");
        Assert.Equal((int)retryAfter!.Value.TotalSeconds, status["details"]!["retryAfterSeconds"]!.GetValue<int>());
        // The body of a refused write is never read.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await bad.PostAsync(ConfigMaps, Json(HostileGenerators.ConfigMapJson("fair-bad")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bad.GetAsync("/readyz")).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await good.PostAsync(ConfigMaps, Json(HostileGenerators.ConfigMapJson("fair-good")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync(ConfigMaps + "/fair-good")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await good.GetAsync(ConfigMaps + "/fair-bad")).StatusCode);
    }

    [Fact]
    public async Task A_watch_holds_no_slot_once_it_is_open()
    {
        using var client = _node.CreateHttpClient(source: IPAddress.Parse("127.0.0.5"));
        using var watch = await client.GetAsync(ConfigMaps + "?watch=true&timeoutSeconds=30", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        // One slot only, and the watch is still open: a short request is served beside it.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ConfigMaps)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ConfigMaps)).StatusCode);
    }
}
