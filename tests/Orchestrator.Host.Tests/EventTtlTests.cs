using System.Net;
using Orchestrator.TestSupport;

using static Orchestrator.Host.Tests.HttpJson;

namespace Orchestrator.Host.Tests;

/// <summary>A node with a short event TTL (ORCHESTRATOR_EVENT_TTL) deletes an Event once it expires, and keeps other objects.</summary>
public sealed class EventTtlTests
{
    [Fact]
    public async Task An_event_is_deleted_once_its_ttl_is_over_and_other_objects_stay()
    {
        await using var node = await NodeProcess.StartAsync(environment: new Dictionary<string, string>(NodeFixture.ApiOnly) { ["ORCHESTRATOR_EVENT_TTL"] = "3s" });
        using var http = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var created = await http.PostAsync("/api/v1/namespaces/default/events", Json($$$"""
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"short-lived"},"involvedObject":{"kind":"ConfigMap","name":"kept","namespace":"default"},
             "reason":"Test","message":"expires in 3 s","type":"Normal","firstTimestamp":"{{{now}}}","lastTimestamp":"{{{now}}}","count":1,"source":{"component":"test"}}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kept"}}"""))).StatusCode);

        await Poll.Until(async () => (await http.GetAsync("/api/v1/namespaces/default/events/short-lived")).StatusCode == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(30), "the Event to be deleted after its 3 s TTL", every: TimeSpan.FromMilliseconds(250));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces/default/configmaps/kept")).StatusCode);
    }
}
