using System.Text.Json.Nodes;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Tests.Kinds;

public class NamespaceRulesTests
{
    private static JsonObject Namespace(string name, bool deleting = false, params string[] finalizers)
    {
        var meta = new JsonObject { ["name"] = name, ["resourceVersion"] = "7", ["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray()) };
        if (deleting) meta["deletionTimestamp"] = "2026-01-01T00:00:00Z";
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = meta };
    }

    [Fact]
    public void Objects_are_created_only_in_an_active_namespace()
    {
        Assert.Null(NamespaceRules.RefuseCreateIn("shop", Namespace("shop")));

        var missing = NamespaceRules.RefuseCreateIn("gone", null);
        Assert.Equal((404, "NotFound"), (missing!.Code, missing.Reason));
        Assert.Contains("\"gone\"", missing.Message, StringComparison.Ordinal);

        var terminating = NamespaceRules.RefuseCreateIn("shop", Namespace("shop", deleting: true));
        Assert.Equal((403, "Forbidden"), (terminating!.Code, terminating.Reason));
        Assert.Equal("unable to create new content in namespace shop because it is being terminated", terminating.Message);
    }

    [Theory]
    [InlineData("default", true)]
    [InlineData("kube-system", true)]
    [InlineData("kube-public", true)]
    [InlineData("kube-node-lease", false)]
    [InlineData("shop", false)]
    public void Only_the_built_in_namespaces_may_not_be_deleted(string name, bool refused)
    {
        var error = NamespaceRules.RefuseDelete(NamespaceKind.Instance, name);
        Assert.Equal(refused, error is not null);
        if (error is not null) Assert.Equal(403, error.Code);
        Assert.Null(NamespaceRules.RefuseDelete(ConfigMapKind.Instance, name)); // a ConfigMap named "default" is nothing special
    }

    [Fact]
    public void A_body_may_name_the_request_namespace_or_none()
    {
        var body = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "cm" } };
        Assert.Null(NamespaceRules.RefuseBodyNamespace(ConfigMapKind.Instance, "shop", body));
        body["metadata"]!["namespace"] = "shop";
        Assert.Null(NamespaceRules.RefuseBodyNamespace(ConfigMapKind.Instance, "shop", body));
        body["metadata"]!["namespace"] = "other";
        Assert.Equal(400, NamespaceRules.RefuseBodyNamespace(ConfigMapKind.Instance, "shop", body)!.Code);
        Assert.Null(NamespaceRules.RefuseBodyNamespace(NamespaceKind.Instance, "", body)); // cluster-scoped: no namespace to match
    }

    [Fact]
    public void A_namespace_terminates_while_deleting_with_its_content_finalizer()
    {
        Assert.True(NamespaceRules.IsTerminating(Namespace("shop", deleting: true, NamespaceKind.ContentFinalizer)));
        Assert.False(NamespaceRules.IsTerminating(Namespace("shop", deleting: false, NamespaceKind.ContentFinalizer)));
        Assert.False(NamespaceRules.IsTerminating(Namespace("shop", deleting: true, "example.com/other")));
    }

    [Fact]
    public void The_release_patch_drops_only_the_content_finalizer_on_the_version_seen()
    {
        var patch = NamespaceRules.ReleasePatch(Namespace("shop", deleting: true, "example.com/other", NamespaceKind.ContentFinalizer));
        Assert.Equal("""{"metadata":{"finalizers":["example.com/other"],"resourceVersion":"7"}}""", patch.ToJsonString());
    }
}
