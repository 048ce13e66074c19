using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.Host.Tests;

/// <summary>Issue 19 through real HTTP: bounded decoding, repeated fields, and no 500 from bad input.</summary>
public sealed class HostileInputTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    private HttpClient Http => fixture.Http;

    private static StringContent Body(string text, string type = "application/json") => new(text, Encoding.UTF8, type);

    private static async Task<JsonObject> Status(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private static string Message(JsonObject status) => status["message"]!.GetValue<string>();

    [Fact]
    public async Task The_alias_bomb_is_refused_with_400_naming_the_limit_and_costs_the_node_no_memory()
    {
        // Warm the path once, so the measurement below sees the bomb, not the first request's JIT.
        await Http.PostAsync(ConfigMaps, Body(HostileBodies.AliasBomb("warm", levels: 1), "application/yaml"));
        var before = fixture.Node.WorkingSet;
        // Two at once: the node went down under two.
        var answers = await Task.WhenAll(
            Http.PostAsync(ConfigMaps, Body(HostileBodies.AliasBomb("bomb-1"), "application/yaml")),
            Http.PostAsync(ConfigMaps, Body(HostileBodies.AliasBomb("bomb-2"), "application/yaml")));
        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            var status = await Status(answer);
            Assert.Equal("Status", status["kind"]!.GetValue<string>());
            Assert.Contains("excessive aliasing", Message(status), StringComparison.Ordinal);
            Assert.Contains("orchestrator.api.decoding.alias-expansion", Message(status), StringComparison.Ordinal);
        }
        // Generous: the bomb grew the node by 9 GB; any expansion at all would be hundreds of MB.
        Assert.True(fixture.Node.WorkingSet - before < 100L * 1024 * 1024, $"the node grew from {before} to {fixture.Node.WorkingSet} bytes");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(ConfigMaps + "/bomb-1")).StatusCode);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/yaml")]
    public async Task Deep_nesting_is_refused_with_400_naming_the_limit(string type)
    {
        var body = type.Contains("yaml", StringComparison.Ordinal) ? HostileBodies.DeepYaml("deep", 200) : HostileBodies.DeepJson("deep", 200);
        var response = await Http.PostAsync(ConfigMaps, Body(body, type));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("orchestrator.api.decoding.max-depth", Message(await Status(response)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repeated_field_keeps_its_last_value_with_a_warning()
    {
        var response = await Http.PostAsync(ConfigMaps, Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup-first","name":"dup-last"},"data":{"k":"1","k":"2"}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var warnings = response.Headers.GetValues("Warning").ToList();
        Assert.Contains(warnings, w => w.Contains("duplicate field \\\"metadata.name\\\"", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("duplicate field \\\"data.k\\\"", StringComparison.Ordinal));
        var stored = await Status(await Http.GetAsync(ConfigMaps + "/dup-last"));
        Assert.Equal("2", stored["data"]!["k"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("application/json", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"strict-a","name":"strict-b"}}""")]
    [InlineData("application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict-a\n  name: strict-b\n")]
    public async Task A_repeated_field_with_strict_validation_is_a_400_naming_it(string type, string body)
    {
        var response = await Http.PostAsync(ConfigMaps + "?fieldValidation=Strict", Body(body, type));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("strict decoding error: duplicate field \"metadata.name\"", Message(await Status(response)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(ConfigMaps + "/strict-b")).StatusCode);
    }

    [Theory]
    [InlineData(ConfigMaps + "?watch=yes")]
    [InlineData(ConfigMaps + "?watch=true&timeoutSeconds=soon")]
    [InlineData(ConfigMaps + "?watch=1&allowWatchBookmarks=maybe")]
    [InlineData(ConfigMaps + "?limit=-1")]
    [InlineData(ConfigMaps + "?limit=99999999999999999999")]
    [InlineData(ConfigMaps + "?resourceVersion=abc")]
    [InlineData(ConfigMaps + "?labelSelector=a%20in%20(")]
    public async Task Bad_query_parameters_are_400(string url)
    {
        var response = await Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Status", (await Status(response))["kind"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("T")]
    [InlineData("TRUE")]
    [InlineData("True")]
    [InlineData("t")]
    [InlineData("1")]
    public async Task Booleans_are_spelled_as_Go_parses_them(string spelling)
    {
        using var response = await Http.GetAsync($"{ConfigMaps}?watch={spelling}&timeoutSeconds=1", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        // A watch, not a list: the body is a stream of events that ends after timeoutSeconds.
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"kind\":\"ConfigMapList\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_from_beyond_the_head_ends_with_Too_large_resource_version()
    {
        var list = await Status(await Http.GetAsync(ConfigMaps));
        var head = long.Parse(list["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var beyond = head + 1_000_000;
        using var watch = await Http.GetAsync($"{ConfigMaps}?watch=true&resourceVersion={beyond}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        var line = await new StreamReader(await watch.Content.ReadAsStreamAsync()).ReadLineAsync();
        var e = JsonNode.Parse(line!)!;
        Assert.Equal("ERROR", e["type"]!.GetValue<string>());
        Assert.Equal(504, e["object"]!["code"]!.GetValue<int>());
        Assert.StartsWith($"Too large resource version: {beyond}, current: ", e["object"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ResourceVersionTooLarge", e["object"]!["details"]!["causes"]![0]!["reason"]!.GetValue<string>());

        var listBeyond = await Http.GetAsync($"{ConfigMaps}?resourceVersion={beyond}");
        Assert.Equal(HttpStatusCode.GatewayTimeout, listBeyond.StatusCode);
    }

    [Theory]
    [InlineData("application/json-patch+json", """{"op":"add"}""")]
    [InlineData("application/json-patch+json", """[{"op":"replace","path":7}]""")]
    [InlineData("application/json-patch+json", """[{"op":"move","from":"/nope","path":"/data/x"}]""")]
    [InlineData("application/json-patch+json", """[42]""")]
    [InlineData("application/merge-patch+json", """[1,2]""")]
    [InlineData("application/merge-patch+json", "\"text\"")]
    [InlineData("application/merge-patch+json", """{"metadata":{"name":7}}""")]
    [InlineData("application/merge-patch+json", """{"metadata":"x"}""")]
    [InlineData("application/strategic-merge-patch+json", """{"data":{"$patch":"explode"}}""")]
    [InlineData("application/strategic-merge-patch+json", """{"metadata":{"finalizers":[1,{"a":2}]}}""")]
    [InlineData("application/strategic-merge-patch+json", "{")]
    [InlineData("application/strategic-merge-patch+json", "")]
    [InlineData("text/plain", "{}")]
    public async Task Bad_patches_are_4xx_and_change_nothing(string type, string patch)
    {
        var name = "patched-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync(ConfigMaps, Body($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"k":"v"}}"""))).StatusCode);
        var before = (await Status(await Http.GetAsync($"{ConfigMaps}/{name}"))).ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{ConfigMaps}/{name}") { Content = new StringContent(patch, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        var response = await Http.SendAsync(request);
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("Status", (await Status(response))["kind"]!.GetValue<string>());
        Assert.Equal(before, (await Status(await Http.GetAsync($"{ConfigMaps}/{name}"))).ToJsonString());
    }

    [Theory]
    [InlineData("""{"preconditions":{"uid":7}}""")]
    [InlineData("""{"gracePeriodSeconds":"soon"}""")]
    [InlineData("""{"propagationPolicy":3}""")]
    [InlineData("[1]")]
    [InlineData("{\"a\":")]
    public async Task Bad_DeleteOptions_are_4xx_and_delete_nothing(string options)
    {
        var name = "delete-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync(ConfigMaps, Body($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"}}"""))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{ConfigMaps}/{name}") { Content = Body(options) };
        var response = await Http.SendAsync(request);
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"{ConfigMaps}/{name}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.DeleteAsync($"{ConfigMaps}/{name}?gracePeriodSeconds=later")).StatusCode);
    }

    [Theory]
    [InlineData("""{"target":{"name":7}}""")]
    [InlineData("""{"target":"node"}""")]
    [InlineData("""[]""")]
    public async Task Bad_binding_bodies_are_4xx(string binding)
    {
        var response = await Http.PostAsync("/api/v1/namespaces/default/pods/nobody/binding", Body(binding));
        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Theory]
    [InlineData("tailLines=many")]
    [InlineData("follow=perhaps")]
    [InlineData("limitBytes=0")]
    public async Task Bad_log_parameters_are_400(string query)
    {
        var response = await Http.GetAsync($"/api/v1/namespaces/default/pods/nobody/log?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
