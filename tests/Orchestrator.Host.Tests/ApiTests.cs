using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

using static Orchestrator.Host.Tests.HttpJson;

namespace Orchestrator.Host.Tests;

/// <summary>The API server through real HTTP: discovery, status codes and Status bodies, watches, bad input.</summary>
public sealed class ApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private HttpClient Http => fixture.Http;

    private static string ConfigMap(string name, string value = "1", string? resourceVersion = null) =>
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["resourceVersion"] = resourceVersion, ["labels"] = new JsonObject { ["app"] = "api-test" } },
            ["data"] = new JsonObject { ["k"] = value },
        }.ToJsonString();

    [Fact]
    public async Task Discovery_documents_list_groups_and_kinds()
    {
        var core = await Body(await Http.GetAsync("/api/v1"));
        var names = core["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Subset(new HashSet<string>(names), new HashSet<string> { "pods", "pods/status", "pods/binding", "services", "configmaps", "secrets", "namespaces", "nodes", "events" });
        var apps = await Body(await Http.GetAsync("/apis/apps/v1"));
        Assert.Contains(apps["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "deployments/scale");
        var groups = await Body(await Http.GetAsync("/apis"));
        Assert.Equal("apps", groups["groups"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("APIVersions", (await Body(await Http.GetAsync("/api")))["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Errors_are_Kubernetes_Status_objects_with_the_right_codes()
    {
        var missing = await Http.GetAsync("/api/v1/namespaces/default/configmaps/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var status = await Body(missing);
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("NotFound", status["reason"]!.GetValue<string>());
        Assert.Equal("configmaps \"nope\" not found", status["message"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync("/api/v1/namespaces/default/configmaps", Json(ConfigMap("codes")))).StatusCode);
        var duplicate = await Http.PostAsync("/api/v1/namespaces/default/configmaps", Json(ConfigMap("codes")));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("AlreadyExists", (await Body(duplicate))["reason"]!.GetValue<string>());

        var current = await Body(await Http.GetAsync("/api/v1/namespaces/default/configmaps/codes"));
        var rv = current["metadata"]!["resourceVersion"]!.GetValue<string>();
        var update = await Http.PutAsync("/api/v1/namespaces/default/configmaps/codes", Json(ConfigMap("codes", "2", rv)));
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var newRv = (await Body(update))["metadata"]!["resourceVersion"]!.GetValue<string>();
        Assert.True(long.Parse(newRv, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(rv, System.Globalization.CultureInfo.InvariantCulture));

        var stale = await Http.PutAsync("/api/v1/namespaces/default/configmaps/codes", Json(ConfigMap("codes", "3", rv)));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("the object has been modified", (await Body(stale))["message"]!.GetValue<string>());

        var invalid = await Http.PostAsync("/api/v1/namespaces/default/pods", Json("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","ports":[{"containerPort":70000}]}]}}"""));
        Assert.Equal((HttpStatusCode)422, invalid.StatusCode);
        var causes = (await Body(invalid))["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()).ToList();
        Assert.Contains("spec.containers[0].image", causes);
        Assert.Contains("spec.containers[0].ports[0].containerPort", causes);

        var malformed = await Http.PostAsync("/api/v1/namespaces/default/configmaps", Json("{\"kind\": "));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("Status", (await Body(malformed))["kind"]!.GetValue<string>());

        var badYaml = await Http.PostAsync("/api/v1/namespaces/default/configmaps", Json("kind: [unclosed", "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, badYaml.StatusCode);

        var wrongType = await Http.PostAsync("/apis/apps/v1/namespaces/default/deployments", Json("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":"three"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);

        var noNamespace = await Http.PostAsync("/api/v1/namespaces/does-not-exist/configmaps", Json(ConfigMap("x")));
        Assert.Equal(HttpStatusCode.NotFound, noNamespace.StatusCode);

        var unknownKind = await Http.GetAsync("/api/v1/namespaces/default/widgets");
        Assert.Equal(HttpStatusCode.NotFound, unknownKind.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_and_the_node_keeps_serving()
    {
        var huge = ConfigMap("huge", new string('x', 4 * 1024 * 1024));
        // Expect: 100-continue lets the server refuse by Content-Length before the body is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/namespaces/default/configmaps") { Content = Json(huge) };
        request.Headers.ExpectContinue = true;
        var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/api/v1/namespaces/default/configmaps")).StatusCode);
    }

    [Fact]
    public async Task Yaml_bodies_and_all_three_patch_types_are_accepted()
    {
        var created = await Http.PostAsync("/api/v1/namespaces/default/configmaps", Json("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: patched
            data:
              a: "1"
            """, "application/yaml"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        async Task<JsonObject> Patch(string type, string patch)
        {
            var response = await Http.PatchAsync("/api/v1/namespaces/default/configmaps/patched", Json(patch, type));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await Body(response);
        }

        Assert.Equal("2", (await Patch("application/merge-patch+json", """{"data":{"b":"2"}}"""))["data"]!["b"]!.GetValue<string>());
        Assert.Equal("3", (await Patch("application/strategic-merge-patch+json", """{"data":{"c":"3"}}"""))["data"]!["c"]!.GetValue<string>());
        var jsonPatched = await Patch("application/json-patch+json", """[{"op":"remove","path":"/data/a"}]""");
        Assert.Null(jsonPatched["data"]!["a"]);

        var badPatch = await Http.PatchAsync("/api/v1/namespaces/default/configmaps/patched", Json("""[{"op":"test","path":"/data/b","value":"nope"}]""", "application/json-patch+json"));
        Assert.Equal((HttpStatusCode)422, badPatch.StatusCode);
    }

    [Fact]
    public async Task A_watch_resumed_from_a_resourceVersion_misses_nothing()
    {
        var list = await Body(await Http.GetAsync("/api/v1/namespaces/default/configmaps?labelSelector=app%3Dwatch-test"));
        var start = list["metadata"]!["resourceVersion"]!.GetValue<string>();
        var versions = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var created = await Http.PostAsync("/api/v1/namespaces/default/configmaps",
                Json(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = $"watched-{i}", ["labels"] = new JsonObject { ["app"] = "watch-test" } } }.ToJsonString()));
            versions.Add((await Body(created))["metadata"]!["resourceVersion"]!.GetValue<string>());
        }

        var all = await ReadWatch($"/api/v1/namespaces/default/configmaps?watch=1&labelSelector=app%3Dwatch-test&resourceVersion={start}", 3);
        Assert.Equal(["watched-0", "watched-1", "watched-2"], all.Select(e => e["object"]!["metadata"]!["name"]!.GetValue<string>()));
        Assert.All(all, e => Assert.Equal("ADDED", e["type"]!.GetValue<string>()));
        Assert.Equal(versions, all.Select(e => e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>()));

        // A client that saw the first event reconnects with its version and gets exactly the rest.
        var rest = await ReadWatch($"/api/v1/namespaces/default/configmaps?watch=1&labelSelector=app%3Dwatch-test&resourceVersion={versions[0]}", 2);
        Assert.Equal(["watched-1", "watched-2"], rest.Select(e => e["object"]!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_watch_answers_its_headers_before_the_first_event()
    {
        // client-go's Watch returns only once the headers arrive: a quiet watch must not hang it.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default/configmaps?watch=1&labelSelector=app%3Dnothing-matches-this");
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<List<JsonObject>> ReadWatch(string url, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var events = new List<JsonObject>();
        while (events.Count < count)
        {
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("the watch ended early");
            if (line.Length > 0) events.Add(JsonNode.Parse(line)!.AsObject());
        }
        return events;
    }

    [Fact]
    public async Task Status_subresource_changes_only_status_and_spec_changes_bump_generation()
    {
        var pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"status-pod"},"spec":{"containers":[{"name":"c","image":"orchestrator/busybox:latest"}]}}""";
        var created = await Body(await Http.PostAsync("/api/v1/namespaces/default/pods", Json(pod)));
        Assert.Equal("Pending", created["status"]!["phase"]!.GetValue<string>());

        var statusPatch = await Http.PatchAsync("/api/v1/namespaces/default/pods/status-pod/status",
            Json("""{"status":{"phase":"Running"},"metadata":{"labels":{"ignored":"yes"}}}""", "application/merge-patch+json"));
        var afterStatus = await Body(statusPatch);
        Assert.Equal("Running", afterStatus["status"]!["phase"]!.GetValue<string>());
        Assert.Null(afterStatus["metadata"]!["labels"]?["ignored"]);
        Assert.Equal(1, afterStatus["metadata"]!["generation"]!.GetValue<long>());

        var mainPatch = await Body(await Http.PatchAsync("/api/v1/namespaces/default/pods/status-pod",
            Json("""{"status":{"phase":"Failed"},"metadata":{"labels":{"kept":"yes"}}}""", "application/merge-patch+json")));
        Assert.Equal("Running", mainPatch["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("yes", mainPatch["metadata"]!["labels"]!["kept"]!.GetValue<string>());

        var binding = await Http.PostAsync("/api/v1/namespaces/default/pods/status-pod/binding",
            Json("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"status-pod"},"target":{"kind":"Node","name":"node-a"}}"""));
        Assert.Equal(HttpStatusCode.Created, binding.StatusCode);
        var bound = await Body(await Http.GetAsync("/api/v1/namespaces/default/pods/status-pod"));
        Assert.Equal("node-a", bound["spec"]!["nodeName"]!.GetValue<string>());
        var rebinding = await Http.PostAsync("/api/v1/namespaces/default/pods/status-pod/binding",
            Json("""{"target":{"kind":"Node","name":"node-b"}}"""));
        Assert.Equal(HttpStatusCode.Conflict, rebinding.StatusCode);
    }

    [Fact]
    public async Task Finalizers_hold_deletion_until_they_are_removed()
    {
        var cm = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"finalized","finalizers":["example.com/keep"]}}""";
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync("/api/v1/namespaces/default/configmaps", Json(cm))).StatusCode);
        var deleting = await Body(await Http.DeleteAsync("/api/v1/namespaces/default/configmaps/finalized"));
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/api/v1/namespaces/default/configmaps/finalized")).StatusCode);

        var removed = await Http.PatchAsync("/api/v1/namespaces/default/configmaps/finalized",
            Json("""{"metadata":{"finalizers":null}}""", "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/namespaces/default/configmaps/finalized")).StatusCode);
    }

    [Fact]
    public async Task Server_side_tables_have_kind_specific_columns()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;as=Table;v=v1;g=meta.k8s.io"));
        var table = await Body(await Http.SendAsync(request));
        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal(["Name", "Status", "Age"], table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Contains(table["rows"]!.AsArray(), r => r!["cells"]![0]!.GetValue<string>() == "kube-system");
    }

    [Theory]
    [InlineData("application/merge-patch+json", """{"data":{"k":"2"},"metadata":{"foo":1}}""")]
    [InlineData("application/strategic-merge-patch+json", """{"$patch":"merge","data":{"k":"2"},"metadata":{"foo":1}}""")]
    [InlineData("application/json-patch+json", """[{"op":"replace","path":"/data/k","value":"2"},{"op":"add","path":"/metadata/foo","value":1}]""")]
    public async Task A_patch_with_an_unknown_field_is_refused_when_strict_and_warned_about_otherwise(string type, string patch)
    {
        var name = "patch-fields-" + type.Split('/')[1].Split('+')[0];
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync("/api/v1/namespaces/default/configmaps", Json(ConfigMap(name)))).StatusCode);
        var url = $"/api/v1/namespaces/default/configmaps/{name}";

        var strict = await Http.PatchAsync(url + "?fieldValidation=Strict", Json(patch, type));
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Equal("strict decoding error: unknown field \"metadata.foo\"", (await Body(strict))["message"]!.GetValue<string>());
        Assert.Equal("1", (await Body(await Http.GetAsync(url)))["data"]!["k"]!.GetValue<string>());

        var warned = await Http.PatchAsync(url, Json(patch, type));
        Assert.Equal(HttpStatusCode.OK, warned.StatusCode);
        Assert.Contains("299 - \"unknown field \\\"metadata.foo\\\"\"", warned.Headers.GetValues("Warning"));
        Assert.Equal("2", (await Body(warned))["data"]!["k"]!.GetValue<string>());

        var ignored = await Http.PatchAsync(url + "?fieldValidation=Ignore", Json(patch.Replace("\"2\"", "\"3\"", StringComparison.Ordinal), type));
        Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);
        Assert.False(ignored.Headers.Contains("Warning"));
        var known = await Http.PatchAsync(url + "?fieldValidation=Strict", Json("""{"metadata":{"labels":{"app":null}},"data":{"k":"4"}}""", "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
    }
}
