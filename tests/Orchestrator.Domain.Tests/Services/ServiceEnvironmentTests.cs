using System.Text.Json.Nodes;
using Orchestrator.Domain.Services;

namespace Orchestrator.Domain.Tests.Services;

public class ServiceEnvironmentTests
{
    private static JsonObject Service(string ns, string name, string? clusterIp, string ports = """[{"port":80,"protocol":"TCP"}]""")
    {
        var spec = new JsonObject { ["ports"] = JsonNode.Parse(ports) };
        if (clusterIp is not null) spec["clusterIP"] = clusterIp;
        return new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns }, ["spec"] = spec };
    }

    private static Dictionary<string, string> Map(IEnumerable<KeyValuePair<string, string>> vars) => vars.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void A_service_gives_the_host_port_named_port_and_link_variables_as_kubelet_does()
    {
        var web = Service("shop", "web-front", "10.96.3.7", """[{"name":"http","port":80,"protocol":"TCP"},{"name":"dns-udp","port":53,"protocol":"UDP"}]""");

        var vars = ServiceEnvironment.For([web], "shop");

        Assert.Equal(
            [
                new("WEB_FRONT_SERVICE_HOST", "10.96.3.7"),
                new("WEB_FRONT_SERVICE_PORT", "80"),
                new("WEB_FRONT_SERVICE_PORT_HTTP", "80"),
                new("WEB_FRONT_SERVICE_PORT_DNS_UDP", "53"),
                new("WEB_FRONT_PORT", "tcp://10.96.3.7:80"),
                new("WEB_FRONT_PORT_80_TCP", "tcp://10.96.3.7:80"),
                new("WEB_FRONT_PORT_80_TCP_PROTO", "tcp"),
                new("WEB_FRONT_PORT_80_TCP_PORT", "80"),
                new("WEB_FRONT_PORT_80_TCP_ADDR", "10.96.3.7"),
                new("WEB_FRONT_PORT_53_UDP", "udp://10.96.3.7:53"),
                new("WEB_FRONT_PORT_53_UDP_PROTO", "udp"),
                new("WEB_FRONT_PORT_53_UDP_PORT", "53"),
                new KeyValuePair<string, string>("WEB_FRONT_PORT_53_UDP_ADDR", "10.96.3.7"),
            ],
            vars);
    }

    [Fact]
    public void An_unnamed_single_port_has_no_named_variable_and_a_missing_protocol_is_tcp()
    {
        var vars = Map(ServiceEnvironment.For([Service("a", "db", "10.96.0.9", """[{"port":5432}]""")], "a"));

        Assert.Equal("5432", vars["DB_SERVICE_PORT"]);
        Assert.Equal("tcp://10.96.0.9:5432", vars["DB_PORT_5432_TCP"]);
        Assert.DoesNotContain(vars.Keys, k => k.StartsWith("DB_SERVICE_PORT_", StringComparison.Ordinal));
    }

    [Fact]
    public void Headless_services_those_without_a_cluster_ip_and_other_namespaces_give_nothing()
    {
        var vars = ServiceEnvironment.For(
            [Service("a", "headless", "None"), Service("a", "external", null), Service("b", "elsewhere", "10.96.0.2")],
            "a");

        Assert.Empty(vars);
    }

    [Fact]
    public void The_kubernetes_service_of_default_is_given_to_every_namespace_even_without_service_links()
    {
        var services = new[] { Service("default", "kubernetes", "10.96.0.1", """[{"name":"https","port":443}]"""), Service("default", "other", "10.96.0.5"), Service("team", "web", "10.96.0.6") };

        var linked = Map(ServiceEnvironment.For(services, "team"));
        var unlinked = Map(ServiceEnvironment.For(services, "team", enableServiceLinks: false));

        Assert.Equal("10.96.0.1", linked["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("10.96.0.6", linked["WEB_SERVICE_HOST"]);
        Assert.False(linked.ContainsKey("OTHER_SERVICE_HOST"));
        Assert.Equal(["KUBERNETES_PORT", "KUBERNETES_PORT_443_TCP", "KUBERNETES_PORT_443_TCP_ADDR", "KUBERNETES_PORT_443_TCP_PORT", "KUBERNETES_PORT_443_TCP_PROTO", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "KUBERNETES_SERVICE_PORT_HTTPS"],
            unlinked.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_namespace_s_own_service_named_kubernetes_wins_over_default_s_in_either_order(bool ownFirst)
    {
        var own = Service("team", "kubernetes", "10.96.7.7");
        var master = Service("default", "kubernetes", "10.96.0.1");

        var vars = Map(ServiceEnvironment.For(ownFirst ? [own, master] : [master, own], "team"));

        Assert.Equal("10.96.7.7", vars["KUBERNETES_SERVICE_HOST"]);
    }

    [Fact]
    public void The_pod_s_own_variables_win_and_keep_their_order()
    {
        var own = new List<KeyValuePair<string, string>> { new("WEB_SERVICE_HOST", "mine"), new("A", "1") };
        var fromServices = ServiceEnvironment.For([Service("a", "web", "10.96.0.6")], "a");

        var merged = ServiceEnvironment.Merge(own, fromServices);

        Assert.Equal(own, merged.Take(2));
        Assert.Single(merged, v => v.Key == "WEB_SERVICE_HOST");
        Assert.Contains(new KeyValuePair<string, string>("WEB_SERVICE_PORT", "80"), merged);
    }

    [Theory]
    [InlineData("""{"spec":{}}""", true)]
    [InlineData("""{"spec":{"enableServiceLinks":true}}""", true)]
    [InlineData("""{"spec":{"enableServiceLinks":false}}""", false)]
    public void Service_links_are_on_unless_the_pod_turns_them_off(string pod, bool expected) =>
        Assert.Equal(expected, ServiceEnvironment.EnableServiceLinks(JsonNode.Parse(pod)!.AsObject()));
}
