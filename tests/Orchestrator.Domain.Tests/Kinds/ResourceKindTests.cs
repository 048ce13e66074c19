using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Kinds;

public class ResourceKindTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(150, "2m30s")]
    [InlineData(599, "9m59s")]
    [InlineData(600, "10m")]
    [InlineData(179 * 60 + 59, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 3600 + 25 * 60, "3h25m")]
    [InlineData(8 * 3600 + 59 * 60, "8h")]
    [InlineData(47 * 3600, "47h")]
    [InlineData(48 * 3600, "2d")]
    [InlineData(50 * 3600, "2d2h")]
    [InlineData(8 * 86400, "8d")]
    [InlineData(729 * 86400, "729d")]
    [InlineData(730 * 86400, "2y")]
    [InlineData(740 * 86400, "2y10d")]
    [InlineData(8 * 365 * 86400 - 86400, "7y364d")]
    [InlineData(8 * 365 * 86400 + 5 * 86400, "8y")]
    [InlineData(-5, "0s")]
    public void HumanDuration_prints_like_kubectl(long seconds, string expected)
    {
        Assert.Equal(expected, ResourceKind.HumanDuration(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Age_of_an_object()
    {
        var obj = Json("""{"metadata":{"creationTimestamp":"2026-01-02T03:04:00Z"}}""");
        Assert.Equal("5s", ResourceKind.Age(obj, Now));
        Assert.Equal("<unknown>", ResourceKind.Age(Json("{}"), Now));
    }

    [Fact]
    public void Every_kind_has_a_row_per_column_and_a_unique_plural()
    {
        foreach (var kind in ResourceKinds.All)
        {
            var obj = Json("""{"metadata":{"name":"x"}}""");
            Assert.Equal(kind.Columns.Count, kind.Row(obj, Now).Count);
        }
        Assert.Equal(ResourceKinds.All.Count, ResourceKinds.All.Select(k => (k.Group, k.Plural)).Distinct().Count());
    }

    [Theory]
    [InlineData("po", "Pod")]
    [InlineData("Pods", "Pod")]
    [InlineData("pod", "Pod")]
    [InlineData("deploy", "Deployment")]
    [InlineData("rs", "ReplicaSet")]
    [InlineData("svc", "Service")]
    [InlineData("cm", "ConfigMap")]
    [InlineData("ns", "Namespace")]
    [InlineData("no", "Node")]
    [InlineData("ev", "Event")]
    [InlineData("secrets", "Secret")]
    public void Resolve_by_any_name(string name, string kind)
    {
        Assert.Equal(kind, ResourceKinds.Resolve(name)!.Kind);
    }

    [Fact]
    public void Lookups()
    {
        Assert.Same(DeploymentKind.Instance, ResourceKinds.ByPlural("apps", "deployments"));
        Assert.Null(ResourceKinds.ByPlural("", "deployments"));
        Assert.Same(PodKind.Instance, ResourceKinds.ByKind("Pod"));
        Assert.Null(ResourceKinds.ByKind("pod"));
        Assert.Null(ResourceKinds.Resolve("widgets"));
        Assert.Equal("apps/v1", DeploymentKind.Instance.ApiVersion);
        Assert.Equal("v1", PodKind.Instance.ApiVersion);
    }

    [Fact]
    public void RoundTrip_drops_unknown_fields_and_refuses_type_errors()
    {
        var pod = Json("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","colour":"red"}]},"extra":1}""");
        var normalized = PodKind.Instance.RoundTrip(pod);
        Assert.Null(normalized["extra"]);
        Assert.Null(normalized["spec"]!["containers"]![0]!["colour"]);
        var bad = Json("""{"spec":{"containers":"none"}}""");
        var e = Assert.Throws<ApiErrorException>(() => PodKind.Instance.RoundTrip(bad));
        Assert.Equal(400, e.Error.Code);
    }
}
