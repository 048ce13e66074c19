using System.Net;
using System.Text;
using System.Text.Json.Nodes;

using static Orchestrator.Host.Tests.HttpJson;

namespace Orchestrator.Host.Tests;

/// <summary>The scale subresource and namespace admission through real HTTP.</summary>
public sealed class ScaleAndNamespaceApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private HttpClient Http => fixture.Http;

    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"scaled"},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"scaled"}},
                 "template":{"metadata":{"labels":{"app":"scaled"}},"spec":{"containers":[{"name":"c","image":"orchestrator/busybox:v2"}]}}}}
        """;

    [Fact]
    public async Task The_scale_subresource_reads_and_writes_spec_replicas()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync("/apis/apps/v1/namespaces/default/deployments", Json(Deployment))).StatusCode);
        const string path = "/apis/apps/v1/namespaces/default/deployments/scaled/scale";

        var scale = await Body(await Http.GetAsync(path));
        Assert.Equal("Scale", scale["kind"]!.GetValue<string>());
        Assert.Equal(2, scale["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("app=scaled", scale["status"]!["selector"]!.GetValue<string>());
        Assert.NotNull(scale["metadata"]!["resourceVersion"]);

        // Without a resourceVersion an update is unconditional (the controllers write the Deployment meanwhile).
        var put = await Http.PutAsync(path, Json("""{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"scaled"},"spec":{"replicas":3}}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(3, (await Body(put))["spec"]!["replicas"]!.GetValue<int>());

        // With one, it is a precondition.
        var stale = await Http.PutAsync(path, Json("""{"metadata":{"resourceVersion":"1"},"spec":{"replicas":4}}"""));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        var patched = await Http.PatchAsync(path, Json("""{"spec":{"replicas":5}}""", "application/merge-patch+json"));
        Assert.Equal(5, (await Body(patched))["spec"]!["replicas"]!.GetValue<int>());
        var deployment = await Body(await Http.GetAsync("/apis/apps/v1/namespaces/default/deployments/scaled"));
        Assert.Equal(5, deployment["spec"]!["replicas"]!.GetValue<int>());

        var negative = await Http.PatchAsync(path, Json("""{"spec":{"replicas":-1}}""", "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, negative.StatusCode);
        Assert.Contains("spec.replicas", await negative.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var failedTest = await Http.PatchAsync(path, Json("""[{"op":"test","path":"/spec/replicas","value":9}]""", "application/json-patch+json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failedTest.StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/namespaces/default/configmaps/x/scale")).StatusCode);
    }

    [Fact]
    public async Task Nothing_is_created_in_a_missing_or_terminating_namespace_and_built_in_ones_stay()
    {
        const string configMap = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}""";
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync("/api/v1/namespaces/never-made/configmaps", Json(configMap))).StatusCode);

        // A finalizer of its own holds the namespace in Terminating after the delete.
        var ns = """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"held","finalizers":["example.com/hold"]}}""";
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync("/api/v1/namespaces", Json(ns))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync("/api/v1/namespaces/held/configmaps", Json(configMap))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.DeleteAsync("/api/v1/namespaces/held")).StatusCode);

        var refused = await Http.PostAsync("/api/v1/namespaces/held/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"late"}}"""));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("because it is being terminated", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var mismatch = await Http.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m","namespace":"held"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await Http.DeleteAsync("/api/v1/namespaces/default")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/api/v1/namespaces/default")).StatusCode);

        // Release it: the namespace controller has emptied it, so it goes once the finalizer does.
        var current = await Body(await Http.GetAsync("/api/v1/namespaces/held"));
        Assert.NotNull(current["metadata"]!["deletionTimestamp"]);
        await Http.PatchAsync("/api/v1/namespaces/held", Json("""{"metadata":{"finalizers":null}}""", "application/merge-patch+json"));
    }
}
