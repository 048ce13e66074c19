using System.Text.Json.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Validation;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Kinds;

/// <summary>Kubernetes' resource rules: QoS class, CPU shares, requests defaulted from limits, and the validation of resources.</summary>
public class PodResourcesTests
{
    private static JsonObject Pod(string containers, string inits = "[]") =>
        Json($$$"""{"metadata":{"name":"p"},"spec":{"containers":{{{containers}}},"initContainers":{{{inits}}}}}""");

    private static string C(string resources) => $$"""{"name":"c","image":"i","resources":{{resources}}}""";

    private const string Full = """{"limits":{"cpu":"1","memory":"1Gi"}}""";

    [Theory]
    [InlineData($"[{{\"name\":\"a\",\"image\":\"i\",\"resources\":{Full}}},{{\"name\":\"b\",\"image\":\"i\",\"resources\":{Full}}}]", "[]", "Guaranteed")]
    [InlineData($"[{{\"name\":\"a\",\"image\":\"i\",\"resources\":{Full}}},{{\"name\":\"b\",\"image\":\"i\"}}]", "[]", "Burstable")]
    [InlineData($"[{{\"name\":\"a\",\"image\":\"i\",\"resources\":{Full}}}]", "[{\"name\":\"init\",\"image\":\"i\"}]", "Burstable")]
    [InlineData("[{\"name\":\"a\",\"image\":\"i\"}]", "[{\"name\":\"init\",\"image\":\"i\",\"resources\":{\"requests\":{\"memory\":\"1Mi\"}}}]", "Burstable")]
    [InlineData("[{\"name\":\"a\",\"image\":\"i\",\"resources\":{\"limits\":{\"ephemeral-storage\":\"1Gi\"}}}]", "[]", "BestEffort")]
    [InlineData("[{\"name\":\"a\",\"image\":\"i\",\"resources\":{\"requests\":{\"cpu\":\"0\"}}}]", "[]", "BestEffort")]
    [InlineData("[{\"name\":\"a\",\"image\":\"i\",\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\",\"ephemeral-storage\":\"1Gi\"},\"requests\":{\"cpu\":\"1000m\"}}}]", "[]", "Guaranteed")]
    public void Qos_class_counts_every_container_and_init_container_and_only_cpu_and_memory(string containers, string inits, string expected)
    {
        Assert.Equal(expected, PodResources.QosClass(Pod(containers, inits)));
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(100, 102)]
    [InlineData(500, 512)]
    [InlineData(1000, 1024)]
    [InlineData(1_000_000, 262144)]
    public void Cpu_shares_are_1024_per_requested_cpu_between_2_and_262144(long milliCpu, long shares)
    {
        Assert.Equal(shares, PodResources.CpuShares(milliCpu));
    }

    [Fact]
    public void Requests_default_to_the_limits_they_lack()
    {
        var pod = Pod($"[{C("""{"limits":{"cpu":"1","memory":"64Mi"},"requests":{"cpu":"100m"}}""")}]", $"[{C("""{"limits":{"memory":"8Mi"}}""").Replace("\"c\"", "\"init\"")}]");
        PodResources.DefaultRequests(pod["spec"]!.AsObject());
        Assert.Equal("""{"cpu":"100m","memory":"64Mi"}""", pod["spec"]!["containers"]![0]!["resources"]!["requests"]!.ToJsonString());
        Assert.Equal("""{"memory":"8Mi"}""", pod["spec"]!["initContainers"]![0]!["resources"]!["requests"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"limits":{"ephemeral-storage":"1Gi"},"requests":{"ephemeral-storage":"500Mi"}}""", null)]
    [InlineData("""{"limits":{"ephemeral-storage":"lots"}}""", "spec.containers[0].resources.limits[ephemeral-storage]: Invalid value: \"lots\": quantity \"lots\" is invalid: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    [InlineData("""{"limits":{"memory":"-1Mi"}}""", "spec.containers[0].resources.limits[memory]: Invalid value: \"-1Mi\": must be greater than or equal to 0")]
    [InlineData("""{"limits":{"cpu":"1"},"requests":{"cpu":"2"}}""", "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1")]
    [InlineData("""{"limits":{"gpus":"1"}}""", "spec.containers[0].resources.limits[gpus]: Invalid value: \"gpus\": must be a standard resource for containers")]
    [InlineData("""{"limits":{"example.com/gpu":"1","hugepages-2Mi":"2Mi"}}""", null)]
    public void Resources_are_validated_naming_the_field(string resources, string? error)
    {
        var errors = PodKind.Instance.Validate(Pod($"[{C(resources)}]")).Select(e => e.Message).ToList();
        if (error is null) Assert.Empty(errors);
        else Assert.Equal(error, Assert.Single(errors));
    }
}
