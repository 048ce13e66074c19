using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

using static Orchestrator.Host.Tests.HttpJson;

namespace Orchestrator.Host.Tests;

/// <summary>
/// Load test of issue 19 against a real node process: a flood of malformed requests
/// (<see cref="HostileFlood"/>: 6 workers, 20 requests each, from 127.0.0.2) while a well-behaved
/// client (127.0.0.1) creates and reads ConfigMaps. Every bad request gets a 4xx (429 once the flood
/// is over its client's limits), every good one succeeds, and nothing the flood aimed at is stored. How much the flood slows the good client is a figure of the flood
/// benchmark (bench/Orchestrator.FloodBenchmarks), never asserted here.
/// </summary>
public sealed class FloodTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task A_flood_of_malformed_requests_gets_4xx_while_a_good_client_succeeds_and_nothing_is_stored()
    {
        var ns = "flood-" + Guid.NewGuid().ToString("N")[..8];
        using var http = fixture.Node.CreateHttpClient(timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/api/v1/namespaces", Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}"""))).StatusCode);
        using var floodClient = fixture.Node.CreateHttpClient(timeout: TimeSpan.FromSeconds(60), source: IPAddress.Parse("127.0.0.2"));
        var flood = new HostileFlood(floodClient, ns);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // a bound, not an expectation
        var flooding = flood.Run(workers: 6, requestsPerWorker: 20, stop.Token);

        var good = new List<string>();
        var failures = new List<string>();
        for (var i = 0; !flooding.IsCompleted && i < 500; i++)
        {
            var name = $"good-{i}";
            using var created = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Json(HostileGenerators.ConfigMapJson(name)));
            using var read = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps/{name}");
            if (created.StatusCode != HttpStatusCode.Created || read.StatusCode != HttpStatusCode.OK)
                failures.Add($"{name}: create {(int)created.StatusCode}, get {(int)read.StatusCode}");
            good.Add(name);
        }
        await flooding;

        Assert.Empty(failures);
        Assert.NotEmpty(good);
        Assert.Equal(6 * 20, flood.Answers.Count);
        // Kestrel may close the connection of a body over the limit before the client has sent it all (0: no answer read).
        var wrong = flood.Answers.Where(a => !(a.Code is >= 400 and < 500 || (a.Code == 0 && a.Shape == "4 MiB body"))).ToList();
        Assert.True(wrong.Count == 0, string.Join("; ", wrong.GroupBy(a => a).Select(g => $"{g.Key.Shape}: {g.Key.Code} x{g.Count()}")));
        var list = JsonNode.Parse(await http.GetStringAsync($"/api/v1/namespaces/{ns}/configmaps"))!;
        var stored = list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal);
        Assert.Equal(good.Order(StringComparer.Ordinal), stored);
        Assert.False(fixture.Node.HasExited, "the node exited");
    }

}
