using System.Text.Json.Nodes;
using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Palettes.Resources;
using Orchestrator.Domain.Secrets;

namespace Orchestrator.Pbm.Tests.Resources;

/// <summary>The pure parts of the resource palettes: change summaries, rollout progress, redaction, manifests.</summary>
public sealed class ResourcePaletteLogicTests
{
    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact]
    public void A_change_summary_names_labels_images_and_scalar_spec_fields()
    {
        var before = Json("""{"metadata":{"labels":{"app":"web","old":"x"},"resourceVersion":"3"},"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}}""");
        var after = Json("""{"metadata":{"labels":{"app":"web","tier":"front"},"resourceVersion":"9"},"spec":{"replicas":5,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}""");

        Assert.Equal("labels +tier=front -old; image web: nginx:1.25→nginx:1.26; spec.replicas: 2→5", ChangeSummary.Describe(before, after));
    }

    [Fact]
    public void A_change_summary_of_data_names_keys_only()
    {
        var before = Json("""{"data":{"password":"c2VjcmV0","user":"YQ=="}}""");
        var after = Json("""{"data":{"password":"b3RoZXI=","token":"dA=="}}""");

        Assert.Equal("data keys ~password +token -user", ChangeSummary.Describe(before, after));
    }

    [Fact]
    public void Rollout_progress_follows_kubectl()
    {
        Assert.Equal("Waiting for deployment spec update to be observed...",
            RolloutProgress.Of(Json("""{"metadata":{"name":"web","generation":2},"spec":{"replicas":2},"status":{"observedGeneration":1}}""")).Message);
        Assert.Equal("Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...",
            RolloutProgress.Of(Json("""{"metadata":{"name":"web","generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":3,"updatedReplicas":2}}""")).Message);
        Assert.True(RolloutProgress.Of(Json("""{"metadata":{"name":"web","generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}}""")).IsComplete);
        Assert.True(RolloutProgress.Of(Json("""{"metadata":{"name":"web","generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"conditions":[{"type":"Progressing","reason":"ProgressDeadlineExceeded"}]}}""")).HasFailed);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    public void Timeouts_parse_with_units(string text, int seconds)
    {
        Assert.True(RolloutProgress.TryParseTimeout(text, out var timeout));
        Assert.Equal(TimeSpan.FromSeconds(seconds), timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("5x")]
    [InlineData("-3")]
    public void Bad_timeouts_are_refused(string text) => Assert.False(RolloutProgress.TryParseTimeout(text, out _));

    [Fact]
    public void Secrets_are_shown_with_sizes_instead_of_values()
    {
        var secret = Json("""{"kind":"Secret","metadata":{"name":"db","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"p\":\"c2VjcmV0\"}}"}},"data":{"p":"c2VjcmV0"}}""");

        var shown = ResourceRendering.ForDisplay(SecretKind.Instance, secret);

        Assert.Equal("<redacted: 6 bytes>", shown["data"]!["p"]!.GetValue<string>());
        Assert.DoesNotContain("c2VjcmV0", shown.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("c2VjcmV0", secret["data"]!["p"]!.GetValue<string>()); // the original is untouched
    }

    [Fact]
    public void Manifests_default_the_namespace_and_keep_a_conflicting_one_for_the_API_to_refuse()
    {
        var documents = ManifestDocuments.Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n", "team");

        Assert.Equal(["team", ""], documents.Select(d => d.Namespace));
        Assert.Equal("team", documents[0].Object["metadata"]!["namespace"]!.GetValue<string>());
        Assert.All(documents, d => Assert.False(d.NamespaceMismatch));
        var conflict = Assert.Single(ManifestDocuments.Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: other}\n", "team"));
        Assert.Equal("team", conflict.Namespace);
        Assert.Equal("other", conflict.Object["metadata"]!["namespace"]!.GetValue<string>());
        Assert.True(conflict.NamespaceMismatch);
    }

    [Fact]
    public void Yaml_output_quotes_strings_that_would_read_as_other_types()
    {
        var yaml = ResourceRendering.ToYaml(Json("""{"a":"3","b":3,"c":"true","d":"plain"}"""));

        Assert.Equal("a: \"3\"\nb: 3\nc: \"true\"\nd: plain\n", yaml.ReplaceLineEndings("\n"));
    }
}
