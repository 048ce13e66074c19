using System.Text.Json.Nodes;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Tests.Kinds;

public class ScaleSubresourceTests
{
    private static JsonObject Deployment(JsonNode? replicas, JsonNode? statusReplicas = null) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject
        {
            ["name"] = "web", ["namespace"] = "shop", ["uid"] = "u1", ["resourceVersion"] = "42",
            ["creationTimestamp"] = "2026-01-01T00:00:00Z", ["labels"] = new JsonObject { ["app"] = "web" },
        },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web", ["tier"] = "front" } },
        },
        ["status"] = statusReplicas is null ? new JsonObject() : new JsonObject { ["replicas"] = statusReplicas },
    };

    [Fact]
    public void The_scale_carries_the_replicas_the_selector_and_the_identity_of_its_object()
    {
        var scale = ScaleSubresource.Of(Deployment(3, 2));
        Assert.Equal(
            """{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"web","namespace":"shop","uid":"u1","resourceVersion":"42","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"replicas":3},"status":{"replicas":2,"selector":"app=web,tier=front"}}""",
            scale.ToJsonString());
    }

    [Fact]
    public void Missing_replicas_read_as_zero_and_a_bad_selector_as_none()
    {
        var obj = Deployment(null);
        obj["spec"]!["selector"] = new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "a", ["operator"] = "Nope" }) };
        var scale = ScaleSubresource.Of(obj);
        Assert.Equal(0, scale["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(0, scale["status"]!["replicas"]!.GetValue<int>());
        Assert.Equal("", scale["status"]!["selector"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(PatchType.Merge, """{"spec":{"replicas":5}}""")]
    [InlineData(PatchType.Strategic, """{"spec":{"replicas":5}}""")]
    [InlineData(PatchType.Json, """[{"op":"replace","path":"/spec/replicas","value":5}]""")]
    public void A_patch_applies_to_the_current_scale(PatchType type, string patch)
    {
        var desired = ScaleSubresource.Patched(Deployment(3), type, JsonNode.Parse(patch));
        Assert.Equal(5, desired!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("42", desired["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public void A_patch_that_cannot_apply_is_invalid_not_a_server_error()
    {
        var e = Assert.Throws<ApiErrorException>(() =>
            ScaleSubresource.Patched(Deployment(3), PatchType.Json, JsonNode.Parse("""[{"op":"test","path":"/spec/replicas","value":9}]""")));
        Assert.Equal(422, e.Error.Code);
    }

    [Fact]
    public void An_update_becomes_a_merge_patch_of_the_replicas_with_the_resource_version_as_precondition()
    {
        var withVersion = JsonNode.Parse("""{"metadata":{"resourceVersion":"42"},"spec":{"replicas":4}}""");
        Assert.Equal("""{"spec":{"replicas":4},"metadata":{"resourceVersion":"42"}}""", ScaleSubresource.UpdatePatch(DeploymentKind.Instance, "web", withVersion).ToJsonString());
        var without = JsonNode.Parse("""{"spec":{"replicas":0}}""");
        Assert.Equal("""{"spec":{"replicas":0}}""", ScaleSubresource.UpdatePatch(DeploymentKind.Instance, "web", without).ToJsonString());
    }

    [Theory]
    [InlineData("""{"spec":{"replicas":-1}}""")]
    [InlineData("""{"spec":{}}""")]
    [InlineData("""{"spec":{"replicas":"three"}}""")]
    [InlineData("null")]
    public void Replicas_missing_or_negative_are_invalid_naming_the_field(string desired)
    {
        var e = Assert.Throws<ApiErrorException>(() => ScaleSubresource.UpdatePatch(DeploymentKind.Instance, "web", JsonNode.Parse(desired)));
        Assert.Equal(422, e.Error.Code);
        Assert.Contains(e.Error.Causes!, c => c.Field == "spec.replicas");
    }
}
