using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Orchestrator.TestSupport;

using static Orchestrator.Host.Tests.HttpJson;

namespace Orchestrator.Host.Tests;

/// <summary>
/// Property-based fuzzing of a real node process (issue 19): generated hostile bodies (see
/// <see cref="HostileGenerators"/>) are created, put and patched, and hostile query strings listed
/// and watched, in a namespace of their own. Every answer is a success or a 4xx Status (a 504 only
/// for Kubernetes' "Too large resource version"), within a generous time bound; the node's memory
/// stays bounded; and nothing stored changes because of a refused request: the namespace ends up
/// holding exactly what the successful requests made, and the object every refused update aimed
/// at is as the last successful one left it.
/// </summary>
public sealed class ApiFuzzTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    /// <summary>Generous: a bad request is answered in milliseconds; this only catches one that hangs or expands.</summary>
    private static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(20);

    private static readonly string[] PatchTypes = ["application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json"];

    [Fact]
    public async Task Hostile_bodies_and_query_strings_get_a_4xx_or_a_success_and_change_nothing_when_refused()
    {
        var ns = "fuzz-" + Guid.NewGuid().ToString("N")[..8];
        using var http = fixture.Node.CreateHttpClient(timeout: RequestBound);
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/api/v1/namespaces", Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}"""))).StatusCode);
        var collection = $"/api/v1/namespaces/{ns}/configmaps";
        var sentinelUrl = collection + "/fuzz-sentinel";
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync(collection, Json(HostileGenerators.ConfigMapJson("fuzz-sentinel")))).StatusCode);
        var sentinel = await Object(await http.GetAsync(sentinelUrl));
        var created = new HashSet<string>(StringComparer.Ordinal) { "fuzz-sentinel" };
        var memoryBefore = fixture.Node.WorkingSet;
        var slowest = TimeSpan.Zero;

        async Task<HttpResponseMessage> Send(HttpRequestMessage request, string what)
        {
            var clock = Stopwatch.StartNew();
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            var code = (int)response.StatusCode;
            if (code is >= 200 and < 300) return response;
            var text = await response.Content.ReadAsStringAsync();
            JsonObject? status = null;
            try
            {
                status = JsonNode.Parse(text) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
            }
            Assert.True(status?["kind"]?.GetValue<string>() == "Status", $"{what}: {code} without a Status: {text}");
            var tooLarge = code == 504 && status!["message"]!.GetValue<string>().StartsWith("Too large resource version", StringComparison.Ordinal);
            Assert.True(code is >= 400 and < 500 || tooLarge, $"{what}: {code} {text}");
            return response;
        }

        var bodies = Gen.Zip(HostileGenerators.Bodies, Gen.Choose(0, 5)).ToArbitrary();
        var bodyProperty = Prop.ForAll(bodies, pair =>
        {
            var (body, target) = pair;
            var content = new ByteArrayContent(body.Bytes);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(body.ContentType);
            HttpRequestMessage request;
            switch (target)
            {
                case 0 or 1:
                    request = new HttpRequestMessage(HttpMethod.Post, collection) { Content = content };
                    break;
                case 2:
                    request = new HttpRequestMessage(HttpMethod.Post, collection + "?fieldValidation=Strict") { Content = content };
                    break;
                case 3:
                    request = new HttpRequestMessage(HttpMethod.Put, sentinelUrl) { Content = content };
                    break;
                case 4:
                    content.Headers.ContentType = new MediaTypeHeaderValue(PatchTypes[body.Bytes.Length % PatchTypes.Length]);
                    request = new HttpRequestMessage(HttpMethod.Patch, sentinelUrl) { Content = content };
                    break;
                default:
                    // The wrong kind's collection for a ConfigMap body, and pods of no node.
                    request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods") { Content = content };
                    break;
            }
            using var response = Send(request, body.ToString()).GetAwaiter().GetResult();
            if (response.IsSuccessStatusCode)
            {
                var obj = Object(response).GetAwaiter().GetResult();
                if (target <= 2) created.Add(obj["metadata"]!["name"]!.GetValue<string>());
                else if (target <= 4) sentinel = obj;
            }
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(250), bodyProperty);

        var queryProperty = Prop.ForAll(HostileGenerators.QueryStrings.ToArbitrary(), query =>
        {
            using (Send(new HttpRequestMessage(HttpMethod.Get, $"{collection}?{query}"), "GET ?" + query).GetAwaiter().GetResult())
            {
            }
            using (var delete = Send(new HttpRequestMessage(HttpMethod.Delete, $"{collection}/fuzz-no-such?{query}"), "DELETE ?" + query).GetAwaiter().GetResult())
            {
                Assert.False(delete.IsSuccessStatusCode, "deleted an object that does not exist");
            }
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), queryProperty);

        Assert.False(fixture.Node.HasExited, "the node exited");
        var list = await Object(await http.GetAsync(collection));
        var stored = list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(created.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.Equal(sentinel.ToJsonString(), (await Object(await http.GetAsync(sentinelUrl))).ToJsonString());
        // Generous: the single bomb grew a node by 9 GB.
        Assert.True(fixture.Node.WorkingSet - memoryBefore < 400L * 1024 * 1024, $"the node grew from {memoryBefore} to {fixture.Node.WorkingSet} bytes (slowest answer {slowest})");
    }

    private static async Task<JsonObject> Object(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
}
