using System.Text.Json.Nodes;
using Orchestrator.Domain.Endpoints;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Tests.Kinds;

public sealed class EndpointKindsTests
{
    [Fact]
    public void Endpoints_with_a_bad_address_or_port_are_refused_naming_the_field()
    {
        var obj = JsonNode.Parse("""{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.300"},{"ip":"127.0.0.1"}],"ports":[{"port":0}]},{}]}""")!.AsObject();
        var errors = EndpointsKind.Instance.Validate(obj).Select(e => e.Field).ToList();
        Assert.Contains("subsets[0].addresses[0].ip", errors);
        Assert.Contains("subsets[0].addresses[1].ip", errors);
        Assert.Contains("subsets[0].ports[0].port", errors);
        Assert.Contains("subsets[1]", errors);
    }

    [Fact]
    public void Slices_need_an_address_type_and_addresses()
    {
        var obj = JsonNode.Parse("""{"metadata":{"name":"s"},"endpoints":[{"addresses":[]}]}""")!.AsObject();
        var errors = EndpointSliceKind.Instance.Validate(obj).Select(e => e.Field).ToList();
        Assert.Equal(["addressType", "endpoints[0].addresses"], errors);
    }

    [Fact]
    public void Tables_abbreviate_long_address_lists_as_kubectl_does()
    {
        var obj = JsonNode.Parse("""{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"},{"ip":"10.0.0.3"},{"ip":"10.0.0.4"}],"ports":[{"port":80}]}]}""")!.AsObject();
        Assert.Equal("10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...", EndpointsKind.Summary(obj));
        Assert.Equal("<none>", EndpointsKind.Summary(JsonNode.Parse("""{"metadata":{"name":"e"}}""")!.AsObject()));
        var slice = JsonNode.Parse("""{"metadata":{"name":"s"},"addressType":"IPv4","ports":[{"port":80}],"endpoints":[{"addresses":["10.0.0.1"]}]}""")!.AsObject();
        Assert.Equal(["s", "IPv4", "80", "10.0.0.1"], EndpointSliceKind.Instance.Row(slice, DateTimeOffset.UnixEpoch).Take(4));
        Assert.Same(EndpointsKind.Instance, ResourceKinds.Resolve("ep"));
        Assert.Same(EndpointSliceKind.Instance, ResourceKinds.ByPlural("discovery.k8s.io", "endpointslices"));
    }
}
