using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Resources;

public class UnknownFieldsTests
{
    private static IReadOnlyList<string> Unknown(ResourceKind kind, string json) => UnknownFields.Of(kind, Json(json));

    private static IReadOnlyList<string> InPatch(PatchType type, string patch, string? current = null) =>
        UnknownFields.OfPatch(PodKind.Instance, type, System.Text.Json.Nodes.JsonNode.Parse(patch)!, current is null ? null : Json(current));

    private const string CurrentPod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}""";

    [Fact]
    public void A_known_object_has_no_unknown_fields()
    {
        Assert.Empty(Unknown(PodKind.Instance, Pod().ToJsonString()));
    }

    [Fact]
    public void Unknown_fields_are_named_by_their_path()
    {
        var found = Unknown(PodKind.Instance, """
            {"apiVersion":"v1","kind":"Pod","colour":"red","metadata":{"name":"p","nickname":"x"},
             "spec":{"containers":[{"name":"c","image":"i"},{"name":"d","image":"i","imagePolicy":"Always","ports":[{"containerPort":80,"hostPrt":8080}]}]}}
            """);
        Assert.Equal(["colour", "metadata.nickname", "spec.containers[1].imagePolicy", "spec.containers[1].ports[0].hostPrt"], found);
    }

    [Fact]
    public void A_misspelt_nested_object_is_reported_once()
    {
        Assert.Equal(["spec.contaners"], Unknown(PodKind.Instance, """{"spec":{"contaners":[{"name":"c"}],"containers":[{"name":"c","image":"i"}]}}"""));
    }

    [Fact]
    public void Nulls_and_empty_unknown_values_are_not_reported()
    {
        Assert.Empty(Unknown(PodKind.Instance, """{"metadata":{"name":"p","x":null,"y":{},"z":[]},"spec":{"containers":[{"name":"c","image":"i"}]}}"""));
    }

    [Fact]
    public void Secret_string_data_is_known()
    {
        Assert.Empty(Unknown(SecretKind.Instance, """{"metadata":{"name":"s"},"stringData":{"a":"b"},"type":"Opaque"}"""));
    }

    [Fact]
    public void Find_with_nothing_normalized_reports_every_field()
    {
        Assert.Equal(["a", "b"], UnknownFields.Find(Json("""{"a":1,"b":{"c":2}}"""), null));
        Assert.Empty(UnknownFields.Find(null, null));
    }

    [Fact]
    public void A_merge_patch_is_checked_by_its_own_fields_and_nulls_are_deletions()
    {
        Assert.Equal(["metadata.nickname", "spec.foo"], InPatch(PatchType.Merge, """{"metadata":{"labels":{"a":"b","gone":null},"nickname":"x","tombstone":null},"spec":{"foo":1,"activeDeadlineSeconds":null}}"""));
        Assert.Empty(InPatch(PatchType.Merge, """{"metadata":{"labels":{"a":null}},"spec":{"bar":null}}"""));
    }

    [Fact]
    public void A_strategic_merge_patch_leaves_its_directives_out()
    {
        const string patch = """
            {"metadata":{"$patch":"merge","finalizers":["a"],"$deleteFromPrimitiveList/finalizers":["b"]},
             "spec":{"$retainKeys":["containers"],"$setElementOrder/containers":[{"name":"c"},{"name":"d"}],
               "containers":[{"name":"c","$patch":"delete"},{"$patch":"replace"},{"name":"d","image":"i","colour":"red"}]}}
            """;
        Assert.Equal(["spec.containers[2].colour"], InPatch(PatchType.Strategic, patch));
    }

    [Fact]
    public void A_merge_patch_has_no_directives_so_a_dollar_key_is_unknown()
    {
        Assert.Equal(["spec.$retainKeys"], InPatch(PatchType.Merge, """{"spec":{"$retainKeys":["containers"]}}"""));
    }

    [Fact]
    public void A_json_patch_is_checked_by_the_object_it_makes()
    {
        Assert.Equal(["spec.containers[0].colour", "spec.foo"], InPatch(PatchType.Json,
            """[{"op":"add","path":"/spec/containers/0/colour","value":"red"},{"op":"add","path":"/spec/foo","value":{"x":1}},{"op":"replace","path":"/spec/containers/0/image","value":"j"}]""",
            CurrentPod));
        Assert.Empty(InPatch(PatchType.Json, """[{"op":"replace","path":"/spec/containers/0/image","value":"j"}]""", CurrentPod));
    }

    [Fact]
    public void A_patch_that_does_not_apply_or_decode_is_left_to_the_store()
    {
        Assert.Empty(InPatch(PatchType.Json, """[{"op":"remove","path":"/spec/nothing"}]""", CurrentPod));
        Assert.Empty(InPatch(PatchType.Json, """[{"op":"add","path":"/spec/foo","value":1}]"""));
        Assert.Empty(InPatch(PatchType.Merge, """{"spec":{"containers":"not a list","foo":1}}"""));
    }
}
