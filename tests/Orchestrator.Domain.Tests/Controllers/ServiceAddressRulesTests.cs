using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.ServiceAllocations;

namespace Orchestrator.Domain.Tests.Controllers;

public sealed class ServiceAddressRulesTests
{
    private static readonly ServiceRanges Ranges = new(ClusterIpRange.Parse("10.96.0.0/29"), NodePortRange.Parse("30000-30003"));

    private static JsonObject Service(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void A_cluster_ip_range_hands_out_neither_its_network_nor_its_broadcast_address()
    {
        Assert.Equal(6, Ranges.ClusterIps.Size);
        Assert.Equal("10.96.0.1", Ranges.ClusterIps.At(0));
        Assert.Equal("10.96.0.6", Ranges.ClusterIps.At(5));
        Assert.False(Ranges.ClusterIps.Contains("10.96.0.0"));
        Assert.False(Ranges.ClusterIps.Contains("10.96.0.7"));
        Assert.True(Ranges.ClusterIps.Contains("10.96.0.3"));
        Assert.Throws<FormatException>(() => ClusterIpRange.Parse("10.96.0.1/16"));
        Assert.Throws<FormatException>(() => NodePortRange.Parse("3-2"));
    }

    [Fact]
    public void A_node_port_service_needs_an_ip_and_a_port_per_service_port_and_requested_values_are_checked()
    {
        var (claims, errors) = ServiceAddressRules.Needs(Service("""{"spec":{"type":"NodePort","ports":[{"port":80},{"port":81,"nodePort":30002}]}}"""), Ranges);
        Assert.Empty(errors);
        Assert.Equal(["spec.clusterIP", "spec.ports[0].nodePort", "spec.ports[1].nodePort"], claims.Select(c => c.Field));
        Assert.Equal("30002", claims[2].Requested);

        var (_, bad) = ServiceAddressRules.Needs(Service("""{"spec":{"type":"NodePort","clusterIP":"10.1.0.1","ports":[{"port":80,"nodePort":80}]}}"""), Ranges);
        Assert.Equal(["spec.clusterIP", "spec.ports[0].nodePort"], bad.Select(e => e.Field));
        Assert.Contains("10.96.0.0/29", bad[0].Detail);

        Assert.Empty(ServiceAddressRules.Needs(Service("""{"spec":{"clusterIP":"None","ports":[{"port":80}]}}"""), Ranges).Claims);
        Assert.Empty(ServiceAddressRules.Needs(Service("""{"spec":{"type":"ExternalName","externalName":"db.example"}}"""), Ranges).Claims);
    }

    [Fact]
    public void A_free_value_is_found_wherever_the_search_starts_and_none_when_the_range_is_full()
    {
        var taken = new HashSet<string> { "10.96.0.1", "10.96.0.2", "10.96.0.3", "10.96.0.4", "10.96.0.6" };
        for (var seed = 0; seed < 20; seed++)
            Assert.Equal("10.96.0.5", ServiceAddressRules.PickFree(ServiceAllocationKind.ClusterIp, Ranges, taken, new Random(seed)));
        taken.Add("10.96.0.5");
        Assert.Null(ServiceAddressRules.PickFree(ServiceAllocationKind.ClusterIp, Ranges, taken, new Random(1)));
        Assert.Equal("30003", ServiceAddressRules.PickFree(ServiceAllocationKind.NodePort, Ranges, new HashSet<string> { "30000", "30001", "30002" }, new Random(3)));
    }

    [Fact]
    public void Granted_values_are_written_where_kubectl_reads_them_and_read_back_as_held()
    {
        var service = Service("""{"metadata":{"name":"web","namespace":"ns"},"spec":{"type":"NodePort","ports":[{"port":80}]}}""");
        var (claims, _) = ServiceAddressRules.Needs(service, Ranges);
        ServiceAddressRules.Assign(service, [(claims[0], "10.96.0.4"), (claims[1], "30001")]);
        Assert.Equal("10.96.0.4", service["spec"]!["clusterIP"]!.GetValue<string>());
        Assert.Equal("10.96.0.4", service["spec"]!["clusterIPs"]![0]!.GetValue<string>());
        Assert.Equal(30001, service["spec"]!["ports"]![0]!["nodePort"]!.GetValue<long>());
        Assert.Equal(["cluster-ip.10.96.0.4", "node-port.30001"], ServiceAddressRules.Held(service));
    }

    [Fact]
    public void An_allocation_is_leaked_only_when_old_enough_and_not_held_by_its_service()
    {
        var now = DateTimeOffset.Parse("2026-01-01T00:10:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var allocation = ServiceAllocationKind.New(ServiceAllocationKind.ClusterIp, "10.96.0.4", "ns", "web");
        allocation.Metadata()["creationTimestamp"] = "2026-01-01T00:00:00Z";
        var holder = Service("""{"metadata":{"name":"web","namespace":"ns"},"spec":{"clusterIP":"10.96.0.4"}}""");
        var other = Service("""{"metadata":{"name":"web","namespace":"ns"},"spec":{"clusterIP":"10.96.0.5"}}""");
        Assert.False(ServiceAddressRules.IsLeaked(allocation, holder, now, TimeSpan.FromMinutes(1)));
        Assert.True(ServiceAddressRules.IsLeaked(allocation, other, now, TimeSpan.FromMinutes(1)));
        Assert.True(ServiceAddressRules.IsLeaked(allocation, null, now, TimeSpan.FromMinutes(1)));
        Assert.False(ServiceAddressRules.IsLeaked(allocation, null, now, TimeSpan.FromMinutes(20)));
        Assert.Empty(ServiceAllocationKind.Instance.Validate(allocation));
    }
}
