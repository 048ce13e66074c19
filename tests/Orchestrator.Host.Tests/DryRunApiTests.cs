using System.Net;
using System.Text;
using System.Text.Json.Nodes;

using static Orchestrator.Host.Tests.HttpJson;

namespace Orchestrator.Host.Tests;

/// <summary><c>dryRun=All</c> through real HTTP: admitted and answered as Kubernetes does, nothing stored.</summary>
public sealed class DryRunApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private HttpClient Http => fixture.Http;

    private const string Path = "/api/v1/namespaces/default/configmaps";

    private static string ConfigMap(string name, string value) =>
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"a":"{{{value}}}"}}""";

    [Fact]
    public async Task A_dry_run_create_answers_the_object_and_stores_nothing()
    {
        var created = await Http.PostAsync(Path + "?dryRun=All", Json(ConfigMap("rehearsed", "b")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Body(created);
        Assert.Equal("b", body["data"]!["a"]!.GetValue<string>());
        Assert.NotNull(body["metadata"]!["uid"]);
        Assert.NotNull(body["metadata"]!["creationTimestamp"]);

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(Path + "/rehearsed")).StatusCode);

        // Refused as a real create would be.
        var invalid = await Http.PostAsync(Path + "?dryRun=All", Json(ConfigMap("Not_A_Name", "b")));
        Assert.Equal((HttpStatusCode)422, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync("/api/v1/namespaces/never-made/configmaps?dryRun=All", Json(ConfigMap("x", "b")))).StatusCode);
    }

    [Fact]
    public async Task Dry_run_updates_patches_and_deletes_leave_the_stored_object_as_it_was()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync(Path, Json(ConfigMap("kept", "b")))).StatusCode);
        var before = await Body(await Http.GetAsync(Path + "/kept"));

        var put = await Http.PutAsync(Path + "/kept?dryRun=All", Json(ConfigMap("kept", "put")));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("put", (await Body(put))["data"]!["a"]!.GetValue<string>());

        var patch = await Http.PatchAsync(Path + "/kept?dryRun=All", Json("""{"data":{"a":"patched"}}""", "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("patched", (await Body(patch))["data"]!["a"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await Http.DeleteAsync(Path + "/kept?dryRun=All")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.DeleteAsync(Path + "?dryRun=All&fieldSelector=metadata.name=kept")).StatusCode);
        // kubectl delete --dry-run=server says it in the DeleteOptions body.
        using var kubectlDelete = new HttpRequestMessage(HttpMethod.Delete, Path + "/kept")
        {
            Content = Json("""{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"]}"""),
        };
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(kubectlDelete)).StatusCode);
        using var badDelete = new HttpRequestMessage(HttpMethod.Delete, Path + "/kept") { Content = Json("""{"dryRun":["Some"]}""") };
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.SendAsync(badDelete)).StatusCode);

        var after = await Body(await Http.GetAsync(Path + "/kept"));
        Assert.Equal("b", after["data"]!["a"]!.GetValue<string>());
        Assert.Equal(before["metadata"]!["resourceVersion"]!.GetValue<string>(), after["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_dry_run_value_other_than_All_is_a_bad_request()
    {
        var response = await Http.PostAsync(Path + "?dryRun=Some", Json(ConfigMap("odd", "b")));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Invalid dryRun value \"Some\"", (await Body(response))["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(Path + "/odd")).StatusCode);
    }
}
