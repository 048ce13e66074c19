using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Resources;

public class ObjectMetaTests
{
    public static TheoryData<JsonNode?, long?> Numbers() => new()
    {
        { JsonValue.Create(1), 1 },
        { JsonValue.Create(-7), -7 },
        { JsonValue.Create(3L), 3 },
        { JsonValue.Create((short)4), 4 },
        { JsonValue.Create(2.0), 2 },
        { JsonValue.Create(2.5), null },
        { JsonValue.Create(long.MaxValue), long.MaxValue },
        { JsonNode.Parse("12"), 12 },
        { JsonNode.Parse("1e3"), 1000 },
        { JsonNode.Parse("1e30"), null },
        { JsonValue.Create("12"), null },
        { JsonValue.Create(true), null },
        { new JsonObject(), null },
        { null, null },
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    public void GetLong_reads_any_whole_JSON_number(JsonNode? node, long? expected) => Assert.Equal(expected, node.GetLong());

    [Fact]
    public void Generation_of_an_object_built_in_memory()
    {
        var obj = new JsonObject { ["metadata"] = new JsonObject { ["generation"] = 1 } };
        Assert.Equal(1, obj.Generation());
        Assert.Equal(0, new JsonObject().Generation());
    }

    [Fact]
    public void Metadata_is_created_on_demand()
    {
        var obj = new JsonObject();
        obj.Metadata()["name"] = "x";
        Assert.Equal("x", obj.Name());
        Assert.Equal("", obj.Namespace());
    }

    [Fact]
    public void Labels_annotations_and_finalizers()
    {
        var obj = Json("""{"metadata":{"labels":{"a":"1"},"annotations":{"n":"v","num":3},"finalizers":["f1","","f2"]}}""");
        Assert.Equal("1", obj.Labels()["a"]);
        Assert.Equal("3", obj.Annotations()["num"]);
        Assert.Equal(["f1", "f2"], obj.Finalizers());
        Assert.Empty(new JsonObject().Labels());
    }

    [Fact]
    public void Timestamps_are_RFC3339_UTC_seconds()
    {
        Assert.Equal("2026-01-02T03:04:05Z", ObjectMeta.FormatTime(new DateTimeOffset(2026, 1, 2, 4, 4, 5, 123, TimeSpan.FromHours(1))));
        var obj = Json("""{"metadata":{"creationTimestamp":"2026-01-02T03:04:05Z","bad":"x"}}""");
        Assert.Equal(Now, obj.Timestamp("creationTimestamp"));
        Assert.Null(obj.Timestamp("bad"));
        Assert.Null(obj.Timestamp("missing"));
    }

    [Fact]
    public void WithResourceVersion_copies()
    {
        var obj = Json("""{"metadata":{"name":"a"}}""");
        var copy = obj.WithResourceVersion(12);
        Assert.Equal("12", copy.ResourceVersion());
        Assert.Null(obj.ResourceVersion());
    }

    [Fact]
    public void At_follows_a_dotted_path()
    {
        var obj = Json("""{"spec":{"nodeName":"n1","list":[1]}}""");
        Assert.Equal("n1", obj.At("spec.nodeName")!.GetValue<string>());
        Assert.Null(obj.At("spec.missing.deeper"));
        Assert.Null(obj.At("spec.list.x"));
    }
}
