using System.Text.Json.Nodes;
using Orchestrator.Domain.ServiceProxy;

namespace Orchestrator.Domain.Tests.ServiceProxy;

public sealed class EndpointPickerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ProxyEndpoint Ready(string ip) => new(ip, 80, "n1", true, true, false);

    private static ProxyEndpoint Terminating(string ip, bool serving) => new(ip, 80, "n1", false, serving, true);

    private static ServicePortRule Rule(TimeSpan? affinity, params ProxyEndpoint[] endpoints) =>
        new(new ServicePortKey("default", "web", "", ProxyProtocol.Tcp), "10.96.0.10", 80, null, affinity, endpoints);

    [Fact]
    public void Ready_endpoints_take_turns()
    {
        var picker = new EndpointPicker(Rule(null, Ready("10.0.0.1"), Ready("10.0.0.2"), new ProxyEndpoint("10.0.0.3", 80, "n1", false, false, false)));
        var picks = Enumerable.Range(0, 4).Select(_ => picker.Pick("c", T0)!.Address).ToList();
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2"], picks);
    }

    [Fact]
    public void Terminating_serving_endpoints_are_used_only_when_no_ready_one_is_left()
    {
        var picker = new EndpointPicker(Rule(null, Ready("10.0.0.1"), Terminating("10.0.0.2", serving: true)));
        Assert.All(Enumerable.Range(0, 3), _ => Assert.Equal("10.0.0.1", picker.Pick("c", T0)!.Address));

        picker.Update(Rule(null, Terminating("10.0.0.2", serving: true), Terminating("10.0.0.3", serving: false)));
        Assert.Equal("10.0.0.2", picker.Pick("c", T0)!.Address);
        Assert.Equal("10.0.0.2", picker.Pick("c", T0)!.Address);
    }

    [Fact]
    public void No_usable_endpoint_means_no_pick()
    {
        var picker = new EndpointPicker(Rule(null, Terminating("10.0.0.2", serving: false)));
        Assert.False(picker.HasEndpoints);
        Assert.Null(picker.Pick("c", T0));
    }

    [Fact]
    public void A_failed_endpoint_is_skipped_for_the_next_try_and_none_is_left_once_all_failed()
    {
        var a = Ready("10.0.0.1");
        var b = Ready("10.0.0.2");
        var picker = new EndpointPicker(Rule(null, a, b));
        var first = picker.Pick("c", T0)!;
        var second = picker.Pick("c", T0, [first])!;
        Assert.NotEqual(first, second);
        Assert.Null(picker.Pick("c", T0, [a, b]));
    }

    [Fact]
    public void Client_ip_affinity_keeps_a_client_on_its_endpoint_until_its_timeout_runs_out()
    {
        var picker = new EndpointPicker(Rule(TimeSpan.FromSeconds(10), Ready("10.0.0.1"), Ready("10.0.0.2")));
        var mine = picker.Pick("client-a", T0)!;
        var other = picker.Pick("client-b", T0)!;
        Assert.NotEqual(mine, other);
        Assert.Equal(mine, picker.Pick("client-a", T0.AddSeconds(9)));
        Assert.Equal(mine, picker.Pick("client-a", T0.AddSeconds(18)));   // each use renews it

        // Idle for the timeout: round robin again (which gives the next endpoint in turn).
        var after = picker.Pick("client-a", T0.AddSeconds(28));
        Assert.NotNull(after);
        Assert.Equal(after, picker.Pick("client-a", T0.AddSeconds(29)));
    }

    [Fact]
    public void An_endpoint_that_leaves_the_set_gets_no_new_connections_even_from_clients_stuck_to_it()
    {
        var a = Ready("10.0.0.1");
        var b = Ready("10.0.0.2");
        var picker = new EndpointPicker(Rule(TimeSpan.FromHours(1), a, b));
        var mine = picker.Pick("client", T0)!;
        var remaining = mine == a ? b : a;
        picker.Update(Rule(TimeSpan.FromHours(1), remaining));
        Assert.All(Enumerable.Range(0, 3), _ => Assert.Equal(remaining, picker.Pick("client", T0)));
    }

    [Fact]
    public void Rules_follow_the_services_ports_and_the_slices_endpoints()
    {
        var service = JsonNode.Parse("""
            {"metadata":{"name":"web","namespace":"shop"},
             "spec":{"type":"NodePort","clusterIP":"10.96.0.10","sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}},
                     "ports":[{"name":"http","port":80,"protocol":"TCP","nodePort":30080},{"name":"dns","port":53,"protocol":"UDP","nodePort":30053},{"name":"x","port":9,"protocol":"SCTP"}]}}
            """)!.AsObject();
        var slice = JsonNode.Parse("""
            {"metadata":{"name":"web-1","namespace":"shop","labels":{"kubernetes.io/service-name":"web"}},
             "ports":[{"name":"http","port":8080,"protocol":"TCP"},{"name":"dns","port":5353,"protocol":"UDP"}],
             "endpoints":[{"addresses":["10.244.1.2"],"nodeName":"n1","conditions":{"ready":true,"serving":true,"terminating":false}},
                          {"addresses":["10.244.2.2"],"nodeName":"n2","conditions":{"ready":false,"serving":true,"terminating":true}}]}
            """)!.AsObject();

        var rules = ProxyRules.For(service, [slice, slice]);

        Assert.Equal(2, rules.Count);
        var http = rules.Single(r => r.Key.Protocol == ProxyProtocol.Tcp);
        Assert.Equal(("10.96.0.10", 80, 30080), (http.ClusterIp, http.Port, http.NodePort!.Value));
        Assert.Equal(TimeSpan.FromSeconds(60), http.AffinityTimeout);
        Assert.Equal([new ProxyEndpoint("10.244.1.2", 8080, "n1", true, true, false), new ProxyEndpoint("10.244.2.2", 8080, "n2", false, true, true)], http.Endpoints);
        var dns = rules.Single(r => r.Key.Protocol == ProxyProtocol.Udp);
        Assert.Equal(5353, dns.Endpoints[0].Port);
    }

    [Theory]
    [InlineData("""{"spec":{"clusterIP":"None","ports":[{"port":80}]}}""")]
    [InlineData("""{"spec":{"type":"ExternalName","externalName":"example.org"}}""")]
    public void Headless_and_ExternalName_services_get_no_rule(string service) =>
        Assert.Empty(ProxyRules.For(JsonNode.Parse(service)!.AsObject(), []));
}
