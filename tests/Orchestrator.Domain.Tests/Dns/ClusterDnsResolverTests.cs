using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Dns;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Services;

namespace Orchestrator.Domain.Tests.Dns;

public class ClusterDnsResolverTests
{
    private readonly ClusterDnsResolver _resolver = new("cluster.local");

    private static JsonObject Service(string ns, string name, string? clusterIp, string type = "ClusterIP", string? externalName = null) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["type"] = type,
            ["clusterIP"] = clusterIp,
            ["externalName"] = externalName,
            ["ports"] = new JsonArray(
                new JsonObject { ["name"] = "http", ["port"] = 80, ["protocol"] = "TCP" },
                new JsonObject { ["name"] = "dns", ["port"] = 53, ["protocol"] = "UDP" }),
        },
    };

    /// <summary>A slice of <paramref name="service"/> with one endpoint per (address, ready, hostname), serving target port 8080 as <c>http</c>.</summary>
    private static JsonObject Slice(string ns, string name, string service, params (string Ip, bool? Ready, string? Hostname)[] endpoints) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { [EndpointSliceKind.ServiceNameLabel] = service } },
        ["addressType"] = "IPv4",
        ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 8080, ["protocol"] = "TCP" }),
        ["endpoints"] = new JsonArray(endpoints.Select(e =>
        {
            var endpoint = new JsonObject { ["addresses"] = new JsonArray(e.Ip), ["conditions"] = e.Ready is null ? new JsonObject() : new JsonObject { ["ready"] = e.Ready } };
            if (e.Hostname is not null) endpoint["hostname"] = e.Hostname;
            return (JsonNode)endpoint;
        }).ToArray()),
    };

    private static ServiceDnsCatalog Catalog(IEnumerable<JsonObject> services, params JsonObject[] slices) => ServiceDnsCatalog.From(services, slices);

    private static string[] Addresses(DnsResolution r) => r.Answers.OfType<AddressRecord>().Select(a => a.Address.ToString()).Order(StringComparer.Ordinal).ToArray();

    [Theory]
    [InlineData("web.shop.svc.cluster.local")]
    [InlineData("WEB.Shop.svc.cluster.local.")]
    public void A_cluster_ip_service_answers_its_cluster_ip_whatever_the_case_and_trailing_dot(string name)
    {
        var r = _resolver.Resolve(Catalog([Service("shop", "web", "10.96.3.7")]), name, DnsQuestionType.A);

        Assert.Equal(DnsOutcome.Answer, r.Outcome);
        Assert.Equal(new AddressRecord("web.shop.svc.cluster.local", IPAddress.Parse("10.96.3.7")), Assert.Single(r.Answers));
    }

    [Fact]
    public void An_existing_name_asked_for_another_type_is_no_data_not_a_name_error()
    {
        var catalog = Catalog([Service("shop", "web", "10.96.3.7")]);

        Assert.Equal(DnsOutcome.NoData, _resolver.Resolve(catalog, "web.shop.svc.cluster.local", DnsQuestionType.Aaaa).Outcome);
        Assert.Equal(DnsOutcome.NoData, _resolver.Resolve(catalog, "shop.svc.cluster.local", DnsQuestionType.A).Outcome);
        Assert.Equal(DnsOutcome.NoData, _resolver.Resolve(catalog, "svc.cluster.local", DnsQuestionType.A).Outcome);
        Assert.Equal(DnsOutcome.NoData, _resolver.Resolve(catalog, "cluster.local", DnsQuestionType.A).Outcome);
    }

    [Theory]
    [InlineData("nope.shop.svc.cluster.local")]
    [InlineData("web.other.svc.cluster.local")]
    [InlineData("other.svc.cluster.local")]
    [InlineData("example.org.shop.svc.cluster.local")]
    [InlineData("example.org.cluster.local")]
    [InlineData("_http._tcp.nope.shop.svc.cluster.local")]
    [InlineData("_ftp._tcp.web.shop.svc.cluster.local")]
    [InlineData("x.web.shop.svc.cluster.local")]
    public void Unknown_names_in_the_zone_are_name_errors(string name) =>
        Assert.Equal(DnsOutcome.NameError, _resolver.Resolve(Catalog([Service("shop", "web", "10.96.3.7")]), name, DnsQuestionType.A).Outcome);

    [Theory]
    [InlineData("example.org")]
    [InlineData("web")]
    [InlineData("web.shop")]
    [InlineData("notcluster.local")]
    public void Names_outside_the_zone_are_not_ours(string name)
    {
        Assert.Equal(DnsOutcome.NotInZone, _resolver.Resolve(Catalog([Service("shop", "web", "10.96.3.7")]), name, DnsQuestionType.A).Outcome);
        Assert.False(_resolver.InZone(name));
    }

    [Fact]
    public void A_headless_service_answers_one_record_per_ready_endpoint_across_its_slices()
    {
        var catalog = Catalog(
            [Service("shop", "db", "None")],
            Slice("shop", "db-0", "db", ("10.244.1.5", true, null), ("10.244.1.6", false, null), ("10.244.1.7", null, null)),
            Slice("shop", "db-1", "db", ("10.244.2.9", true, null)),
            Slice("shop", "web-0", "web", ("10.244.3.3", true, null)));

        var r = _resolver.Resolve(catalog, "db.shop.svc.cluster.local", DnsQuestionType.A);

        Assert.Equal(["10.244.1.5", "10.244.1.7", "10.244.2.9"], Addresses(r));
    }

    [Fact]
    public void A_headless_service_without_ready_endpoints_has_no_data()
    {
        var catalog = Catalog([Service("shop", "db", "None")], Slice("shop", "db-0", "db", ("10.244.1.6", false, null)));

        Assert.Equal(DnsOutcome.NoData, _resolver.Resolve(catalog, "db.shop.svc.cluster.local", DnsQuestionType.A).Outcome);
    }

    [Fact]
    public void Endpoints_of_a_headless_service_answer_by_hostname_and_by_dashed_address()
    {
        var catalog = Catalog([Service("shop", "db", "None")], Slice("shop", "db-0", "db", ("10.244.1.5", true, "db-0"), ("10.244.1.7", true, null)));

        Assert.Equal(["10.244.1.5"], Addresses(_resolver.Resolve(catalog, "db-0.db.shop.svc.cluster.local", DnsQuestionType.A)));
        Assert.Equal(["10.244.1.7"], Addresses(_resolver.Resolve(catalog, "10-244-1-7.db.shop.svc.cluster.local", DnsQuestionType.A)));
        Assert.Equal(DnsOutcome.NameError, _resolver.Resolve(catalog, "db-9.db.shop.svc.cluster.local", DnsQuestionType.A).Outcome);
    }

    [Fact]
    public void A_named_port_of_a_cluster_ip_service_is_an_srv_record_to_the_service_name_with_its_address()
    {
        var catalog = Catalog([Service("shop", "web", "10.96.3.7")]);

        var tcp = _resolver.Resolve(catalog, "_http._tcp.web.shop.svc.cluster.local", DnsQuestionType.Srv);
        var udp = _resolver.Resolve(catalog, "_dns._udp.web.shop.svc.cluster.local", DnsQuestionType.Srv);

        Assert.Equal(new ServiceLocationRecord("_http._tcp.web.shop.svc.cluster.local", 0, 100, 80, "web.shop.svc.cluster.local"), Assert.Single(tcp.Answers));
        Assert.Equal(new AddressRecord("web.shop.svc.cluster.local", IPAddress.Parse("10.96.3.7")), Assert.Single(tcp.Additional));
        Assert.Equal(53, Assert.IsType<ServiceLocationRecord>(Assert.Single(udp.Answers)).Port);
        Assert.Equal(DnsOutcome.NoData, _resolver.Resolve(catalog, "_http._tcp.web.shop.svc.cluster.local", DnsQuestionType.A).Outcome);
        Assert.Equal(DnsOutcome.NameError, _resolver.Resolve(catalog, "_http._udp.web.shop.svc.cluster.local", DnsQuestionType.Srv).Outcome);
    }

    [Fact]
    public void A_named_port_of_a_headless_service_is_one_srv_record_per_ready_endpoint_with_the_endpoint_port()
    {
        var catalog = Catalog([Service("shop", "db", "None")], Slice("shop", "db-0", "db", ("10.244.1.5", true, "db-0"), ("10.244.1.7", true, null), ("10.244.1.8", false, null)));

        var r = _resolver.Resolve(catalog, "_http._tcp.db.shop.svc.cluster.local", DnsQuestionType.Srv);

        var srv = r.Answers.Cast<ServiceLocationRecord>().OrderBy(s => s.Target, StringComparer.Ordinal).ToList();
        Assert.Equal(["10-244-1-7.db.shop.svc.cluster.local", "db-0.db.shop.svc.cluster.local"], srv.Select(s => s.Target));
        Assert.All(srv, s => Assert.Equal(8080, s.Port));
        Assert.Equal(2, r.Additional.Count);
    }

    [Fact]
    public void An_external_name_service_is_a_cname_to_its_name()
    {
        var catalog = Catalog([Service("shop", "ext", null, type: "ExternalName", externalName: "db.example.org.")]);

        var r = _resolver.Resolve(catalog, "ext.shop.svc.cluster.local", DnsQuestionType.A);

        Assert.Equal(new AliasRecord("ext.shop.svc.cluster.local", "db.example.org"), Assert.Single(r.Answers));
    }

    [Fact]
    public void Pod_names_answer_the_dashed_address_and_bad_ones_are_name_errors()
    {
        Assert.Equal(["10.244.1.5"], Addresses(_resolver.Resolve(ServiceDnsCatalog.Empty, "10-244-1-5.shop.pod.cluster.local", DnsQuestionType.A)));
        Assert.Equal(DnsOutcome.NameError, _resolver.Resolve(ServiceDnsCatalog.Empty, "10-244-1-500.shop.pod.cluster.local", DnsQuestionType.A).Outcome);
        Assert.Equal(DnsOutcome.NameError, _resolver.Resolve(ServiceDnsCatalog.Empty, "web.shop.pod.cluster.local", DnsQuestionType.A).Outcome);
    }

    [Fact]
    public void Watch_events_change_the_catalog_and_leave_the_previous_snapshot_as_it_was()
    {
        var before = Catalog([Service("shop", "web", "10.96.3.7")]);
        var after = before
            .Apply(ServiceKind.Instance.Kind, WatchEventType.Deleted, Service("shop", "web", "10.96.3.7"))
            .Apply(ServiceKind.Instance.Kind, WatchEventType.Added, Service("shop", "db", "None"))
            .Apply(EndpointSliceKind.Instance.Kind, WatchEventType.Added, Slice("shop", "db-0", "db", ("10.244.1.5", true, null)))
            .Apply(EndpointSliceKind.Instance.Kind, WatchEventType.Modified, Slice("shop", "db-0", "db", ("10.244.1.6", true, null)));

        Assert.Equal(["10.96.3.7"], Addresses(_resolver.Resolve(before, "web.shop.svc.cluster.local", DnsQuestionType.A)));
        Assert.Equal(DnsOutcome.NameError, _resolver.Resolve(after, "web.shop.svc.cluster.local", DnsQuestionType.A).Outcome);
        Assert.Equal(["10.244.1.6"], Addresses(_resolver.Resolve(after, "db.shop.svc.cluster.local", DnsQuestionType.A)));

        var emptied = after.Apply(EndpointSliceKind.Instance.Kind, WatchEventType.Deleted, Slice("shop", "db-0", "db"))
            .Apply(ServiceKind.Instance.Kind, WatchEventType.Deleted, Service("shop", "db", "None"));
        Assert.Equal(0, emptied.SliceCount);
        Assert.Equal(DnsOutcome.NameError, _resolver.Resolve(emptied, "shop.svc.cluster.local", DnsQuestionType.A).Outcome);
    }

    [Fact]
    public void Another_cluster_domain_is_the_zone_and_a_bad_one_is_refused()
    {
        var resolver = new ClusterDnsResolver("corp.internal.");

        Assert.Equal(["10.96.3.7"], Addresses(resolver.Resolve(Catalog([Service("shop", "web", "10.96.3.7")]), "web.shop.svc.corp.internal", DnsQuestionType.A)));
        Assert.Equal(DnsOutcome.NotInZone, resolver.Resolve(ServiceDnsCatalog.Empty, "web.shop.svc.cluster.local", DnsQuestionType.A).Outcome);
        Assert.Throws<ArgumentException>(() => new ClusterDnsResolver("a..b"));
        Assert.Throws<ArgumentException>(() => new ClusterDnsResolver(" "));
    }
}
