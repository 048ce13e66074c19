using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Resources;

public class UnknownFieldsTests
{
    private static IReadOnlyList<string> Unknown(ResourceKind kind, string json)
    {
        var requested = Json(json);
        return UnknownFields.Find(requested, kind.RoundTrip((System.Text.Json.Nodes.JsonObject)requested.DeepClone()));
    }

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
}
