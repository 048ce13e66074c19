using System.Net;
using System.Text.Json.Nodes;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Domain.Dns;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Services;
using Orchestrator.NodeAgent.Dns;
using Orchestrator.TestSupport;
using Orchestrator.TestSupport.Stores;

namespace Orchestrator.NodeAgent.Tests.Unit.Dns;

/// <summary>
/// The node's resolver over real UDP and TCP on loopback: the cluster zone from a catalog fed by the
/// store's watch, other names forwarded to an upstream resolver the test runs on loopback.
/// </summary>
public sealed class ClusterDnsServerTests : IDisposable
{
    private readonly InMemoryStore _store = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IDisposable> _servers = [];

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var s in _servers) s.Dispose();
        _stop.Dispose();
    }

    private static JsonObject Service(string name, string clusterIp) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "shop" },
        ["spec"] = new JsonObject { ["clusterIP"] = clusterIp, ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["protocol"] = "TCP" }) },
    };

    /// <summary>A resolver on 127.0.0.1 whose upstream is <paramref name="upstreamPort"/> on 127.0.0.1 (none when null).</summary>
    private IPEndPoint StartResolver(ServiceCatalogFeed feed, int? upstreamPort)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, FreePorts.Next());
        var settings = ClusterDnsSettings.Disabled with
        {
            Enabled = true,
            ListenAddress = endpoint.Address,
            Port = endpoint.Port,
            Host = upstreamPort is null ? ResolverConfig.Empty : ResolverConfig.Parse("nameserver 127.0.0.1\n"),
            UpstreamPort = upstreamPort ?? 53,
        };
        var server = new ClusterDnsServer(settings, () => feed.Current, NullLogger.Instance);
        server.Start(endpoint);
        _servers.Add(server);
        return endpoint;
    }

    /// <summary>A stand-in for the host's resolver: answers <c>upstream.example</c> with 192.0.2.77.</summary>
    private LoopbackDnsServer StartUpstream()
    {
        var upstream = new LoopbackDnsServer(new Dictionary<string, IPAddress> { ["upstream.example"] = IPAddress.Parse("192.0.2.77") });
        _servers.Add(upstream);
        return upstream;
    }

    private static DnsClient Client(IPEndPoint server, bool tcp = false) =>
        new([server.Address], tcp ? [new TcpClientTransport(server.Port)] : [new UdpClientTransport(server.Port)], true, 3000);

    private ServiceCatalogFeed StartFeed()
    {
        var feed = new ServiceCatalogFeed(_store, NullLogger.Instance, TimeProvider.System);
        _ = feed.RunAsync(_stop.Token);
        return feed;
    }

    [Fact]
    public async Task The_zone_is_answered_from_the_watched_services_over_udp_and_tcp_and_follows_their_changes()
    {
        _store.Put(ServiceKind.Instance, Service("web", "10.96.3.7"));
        var feed = StartFeed();
        var resolver = StartResolver(feed, upstreamPort: null);
        var name = DomainName.Parse("web.shop.svc.cluster.local");

        var udp = await Poll.For(async () => await Client(resolver).ResolveAsync(name) is { ReturnCode: ReturnCode.NoError, AnswerRecords.Count: > 0 } m ? m : null, TimeSpan.FromSeconds(10), "the service's name to resolve");
        var tcp = await Client(resolver, tcp: true).ResolveAsync(name);
        var srv = await Client(resolver).ResolveAsync(DomainName.Parse("_http._tcp.web.shop.svc.cluster.local"), RecordType.Srv);
        var aaaa = await Client(resolver).ResolveAsync(name, RecordType.Aaaa);
        var missing = await Client(resolver).ResolveAsync(DomainName.Parse("nope.shop.svc.cluster.local"));

        Assert.True(udp.IsAuthoritiveAnswer);
        Assert.Equal(IPAddress.Parse("10.96.3.7"), Assert.IsType<ARecord>(Assert.Single(udp.AnswerRecords)).Address);
        Assert.Equal(IPAddress.Parse("10.96.3.7"), Assert.IsType<ARecord>(Assert.Single(tcp!.AnswerRecords)).Address);
        var location = Assert.IsType<SrvRecord>(Assert.Single(srv!.AnswerRecords));
        Assert.Equal((80, "web.shop.svc.cluster.local"), (location.Port, location.Target.ToString().TrimEnd('.')));
        Assert.Contains(srv.AdditionalRecords, r => r is ARecord);
        Assert.Equal((ReturnCode.NoError, 0), (aaaa!.ReturnCode, aaaa.AnswerRecords.Count));
        Assert.Equal(ReturnCode.NxDomain, missing!.ReturnCode);
        Assert.IsType<SoaRecord>(Assert.Single(missing.AuthorityRecords));

        // A new endpoint slice of a headless Service, and the ClusterIP Service gone: seen by the watch.
        _store.Put(ServiceKind.Instance, Service("db", "None"));
        _store.Put(EndpointSliceKind.Instance, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "db-0", ["namespace"] = "shop", ["labels"] = new JsonObject { [EndpointSliceKind.ServiceNameLabel] = "db" } },
            ["addressType"] = "IPv4",
            ["endpoints"] = new JsonArray(new JsonObject { ["addresses"] = new JsonArray("10.244.0.5"), ["conditions"] = new JsonObject { ["ready"] = true } }),
        });
        _store.Remove(ServiceKind.Instance, "shop", "web");
        var db = await Poll.For(async () => await Client(resolver).ResolveAsync(DomainName.Parse("db.shop.svc.cluster.local")) is { AnswerRecords.Count: > 0 } m ? m : null, TimeSpan.FromSeconds(10), "the headless service to resolve");
        Assert.Equal(IPAddress.Parse("10.244.0.5"), Assert.IsType<ARecord>(Assert.Single(db.AnswerRecords)).Address);
        await Poll.Until(async () => (await Client(resolver).ResolveAsync(name))?.ReturnCode == ReturnCode.NxDomain, TimeSpan.FromSeconds(10), "the deleted service's name to be gone");
    }

    [Fact]
    public async Task Other_names_are_forwarded_to_the_host_s_resolver_and_its_answer_passed_back()
    {
        var upstream = StartUpstream();
        var resolver = StartResolver(StartFeed(), upstream.Port);

        var found = await Client(resolver).ResolveAsync(DomainName.Parse("upstream.example"));
        var unknown = await Client(resolver).ResolveAsync(DomainName.Parse("unknown.example"));
        var inZone = await Client(resolver).ResolveAsync(DomainName.Parse("nope.shop.svc.cluster.local"));

        Assert.Equal(IPAddress.Parse("192.0.2.77"), Assert.IsType<ARecord>(Assert.Single(found!.AnswerRecords)).Address);
        Assert.Equal(ReturnCode.NxDomain, unknown!.ReturnCode);
        Assert.Equal(ReturnCode.NxDomain, inZone!.ReturnCode);
        Assert.Equal(2, upstream.Questions); // the zone's own names never leave the node
    }

    [Fact]
    public async Task Without_any_upstream_other_names_are_servfail()
    {
        var resolver = StartResolver(StartFeed(), upstreamPort: null);

        var answer = await Client(resolver).ResolveAsync(DomainName.Parse("upstream.example"));

        Assert.Equal(ReturnCode.ServerFailure, answer!.ReturnCode);
    }

    [Fact]
    public void A_taken_port_is_refused_at_start()
    {
        var resolver = StartResolver(StartFeed(), upstreamPort: null);
        using var second = new ClusterDnsServer(ClusterDnsSettings.Disabled, () => ServiceDnsCatalog.Empty, NullLogger.Instance);

        Assert.Throws<System.Net.Sockets.SocketException>(() => second.Start(resolver));
    }
}
