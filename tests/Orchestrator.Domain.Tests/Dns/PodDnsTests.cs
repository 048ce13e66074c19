using System.Text.Json.Nodes;
using Orchestrator.Domain.Dns;

namespace Orchestrator.Domain.Tests.Dns;

public class PodDnsTests
{
    private static readonly ResolverConfig Host = ResolverConfig.Parse("""
        # written by the host
        nameserver 192.0.2.53
        nameserver not-an-address
        domain ignored.example
        search corp.example lab.example.
        options timeout:2 rotate
        """);

    private static JsonObject Pod(string? policy = null, string? dnsConfig = null)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray() };
        if (policy is not null) spec["dnsPolicy"] = policy;
        if (dnsConfig is not null) spec["dnsConfig"] = JsonNode.Parse(dnsConfig);
        return new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p", ["namespace"] = "shop" }, ["spec"] = spec };
    }

    [Fact]
    public void Resolv_conf_is_read_as_glibc_reads_it()
    {
        Assert.Equal(["192.0.2.53"], Host.Nameservers);
        Assert.Equal(["corp.example", "lab.example"], Host.Searches);
        Assert.Equal(["timeout:2", "rotate"], Host.Options);
        Assert.Equal(ResolverConfig.Empty.Nameservers, ResolverConfig.Parse("").Nameservers);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ClusterFirst")]
    [InlineData("ClusterFirstWithHostNet")]
    public void Cluster_first_is_the_default_the_cluster_resolver_with_kubernetes_search_path_and_ndots_5(string? policy)
    {
        var dns = PodDns.For(Pod(policy), "10.244.7.1", "cluster.local", Host)!;

        Assert.Equal(["10.244.7.1"], dns.Nameservers);
        Assert.Equal(["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example"], dns.Searches);
        Assert.Equal(["ndots:5"], dns.Options);
    }

    [Fact]
    public void Cluster_first_without_a_cluster_resolver_is_default_and_default_without_dns_config_is_the_engine_s_own()
    {
        Assert.Null(PodDns.For(Pod(), null, "cluster.local", Host));
        Assert.Null(PodDns.For(Pod("Default"), "10.244.7.1", "cluster.local", Host));
    }

    [Fact]
    public void Default_with_dns_config_is_the_host_s_settings_plus_the_pod_s()
    {
        var dns = PodDns.For(Pod("Default", """{"nameservers":["192.0.2.54"],"searches":["extra.example"],"options":[{"name":"timeout","value":"5"},{"name":"edns0"}]}"""), "10.244.7.1", "cluster.local", Host)!;

        Assert.Equal(["192.0.2.53", "192.0.2.54"], dns.Nameservers);
        Assert.Equal(["corp.example", "lab.example", "extra.example"], dns.Searches);
        Assert.Equal(["rotate", "timeout:5", "edns0"], dns.Options);
    }

    [Fact]
    public void None_is_only_the_pod_s_dns_config_limited_to_three_nameservers()
    {
        var dns = PodDns.For(Pod("None", """{"nameservers":["192.0.2.1","192.0.2.2","192.0.2.3","192.0.2.4"],"searches":["a.example","a.example."]}"""), "10.244.7.1", "cluster.local", Host)!;

        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.3"], dns.Nameservers);
        Assert.Equal(["a.example"], dns.Searches);
        Assert.Empty(dns.Options);
    }

    [Fact]
    public void Cluster_first_dns_config_options_replace_ndots_and_add_searches()
    {
        var dns = PodDns.For(Pod("ClusterFirst", """{"searches":["extra.example"],"options":[{"name":"ndots","value":"2"}]}"""), "10.244.7.1", "corp.internal", Host)!;

        Assert.Equal(["shop.svc.corp.internal", "svc.corp.internal", "corp.internal", "corp.example", "lab.example", "extra.example"], dns.Searches);
        Assert.Equal(["ndots:2"], dns.Options);
    }
}
