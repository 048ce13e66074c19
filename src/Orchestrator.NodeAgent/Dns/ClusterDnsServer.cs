using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;
using Orchestrator.Domain.Dns;

namespace Orchestrator.NodeAgent.Dns;

/// <summary>
/// The node's resolver for pods, on ARSoft.Tools.Net's DNS server (UDP and TCP; no wire format of
/// our own): a question in the cluster zone is answered by the pure <see cref="ClusterDnsResolver"/>
/// from the current <see cref="ServiceDnsCatalog"/> (authoritative; no data and NXDOMAIN carry the
/// zone's SOA, so resolvers cache them for the TTL); any other is forwarded to the host's
/// resolvers (its resolv.conf) and their answer passed back, or SERVFAIL when none answers.
/// </summary>
public sealed class ClusterDnsServer : IDisposable
{
    private readonly ClusterDnsResolver _resolver;
    private readonly Func<ServiceDnsCatalog> _catalog;
    private readonly DnsClient? _upstream;
    private readonly int _ttl;
    private readonly ILogger _log;
    private readonly DomainName _zone;
    private DnsServer? _server;

    /// <param name="settings">The cluster domain, TTL and the host's resolvers.</param>
    /// <param name="catalog">The catalog of the moment (read once per question).</param>
    /// <param name="log">Where failures to forward are logged (at debug level: a pod's names are its business).</param>
    public ClusterDnsServer(ClusterDnsSettings settings, Func<ServiceDnsCatalog> catalog, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _resolver = new ClusterDnsResolver(settings.ClusterDomain);
        _zone = DomainName.Parse(_resolver.Zone);
        _catalog = catalog;
        _log = log;
        _ttl = (int)settings.Ttl.TotalSeconds;
        var upstreams = settings.Host.Nameservers.Select(IPAddress.Parse)
            .Where(a => !(a.Equals(settings.ListenAddress) && settings.UpstreamPort == settings.Port)) // never forward to ourselves
            .ToList();
        var timeout = (int)settings.ForwardTimeout.TotalMilliseconds;
        _upstream = upstreams.Count == 0
            ? null
            : new DnsClient(upstreams, [new UdpClientTransport(settings.UpstreamPort), new TcpClientTransport(settings.UpstreamPort)], true, timeout);
    }

    /// <summary>Where it listens once <see cref="Start"/> succeeded.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>Binds UDP and TCP on <paramref name="endpoint"/> and starts answering.</summary>
    /// <exception cref="SocketException">The address is not the host's or the port is taken.</exception>
    public void Start(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (_server is not null) throw new InvalidOperationException("the resolver is already started");
        var udp = new UdpServerTransport(endpoint, 2000);
        var tcp = new TcpServerTransport(endpoint, 2000, 10_000);
        var server = new DnsServer(udp, tcp);
        server.QueryReceived += OnQueryReceived;
        server.ExceptionThrown += (_, e) =>
        {
            _log.LogDebug("the cluster resolver: {Message}", e.Exception.Message);
            return Task.CompletedTask;
        };
        try
        {
            server.Start(); // binds both transports: a failure surfaces here
        }
        catch
        {
            udp.Dispose();
            tcp.Dispose();
            throw;
        }
        _server = server;
        Endpoint = endpoint;
    }

    public void Dispose()
    {
        try
        {
            _server?.Stop();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            // Stopped before its accept loops had started: the library's WaitAll sees them cancelled.
        }
        _server = null;
    }

    private async Task OnQueryReceived(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query) return;
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        if (query.Questions.Count != 1 || query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = query.Questions.Count != 1 ? ReturnCode.FormatError : ReturnCode.NotImplemented;
            e.Response = response;
            return;
        }
        var question = query.Questions[0];
        var resolution = question.RecordClass is RecordClass.INet or RecordClass.Any
            ? _resolver.Resolve(_catalog(), question.Name.ToString(), TypeOf(question.RecordType))
            : DnsResolution.NotInZone;
        if (resolution.Outcome == DnsOutcome.NotInZone)
            await ForwardAsync(query, question, response);
        else
            Answer(response, resolution);
        e.Response = response;
    }

    private void Answer(DnsMessage response, DnsResolution resolution)
    {
        response.IsAuthoritiveAnswer = true;
        response.ReturnCode = resolution.Outcome == DnsOutcome.NameError ? ReturnCode.NxDomain : ReturnCode.NoError;
        response.AnswerRecords.AddRange(resolution.Answers.Select(Record));
        response.AdditionalRecords.AddRange(resolution.Additional.Select(Record));
        if (resolution.Outcome is DnsOutcome.NameError or DnsOutcome.NoData)
        {
            response.AuthorityRecords.Add(new SoaRecord(
                _zone, _ttl, DomainName.Parse("ns.dns." + _resolver.Zone), DomainName.Parse("hostmaster." + _resolver.Zone),
                (uint)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() & 0x7fffffff), 7200, 1800, 86400, _ttl));
        }
    }

    private DnsRecordBase Record(DnsAnswerRecord record) => record switch
    {
        AddressRecord a => new ARecord(DomainName.Parse(a.Name), _ttl, a.Address),
        ServiceLocationRecord s => new SrvRecord(DomainName.Parse(s.Name), _ttl, (ushort)s.Priority, (ushort)s.Weight, (ushort)s.Port, DomainName.Parse(s.Target)),
        AliasRecord c => new CNameRecord(DomainName.Parse(c.Name), _ttl, DomainName.Parse(c.Target)),
        _ => throw new ArgumentOutOfRangeException(nameof(record), record, "unknown record type"),
    };

    private async Task ForwardAsync(DnsMessage query, DnsQuestion question, DnsMessage response)
    {
        if (_upstream is null)
        {
            response.ReturnCode = ReturnCode.ServerFailure;
            return;
        }
        DnsMessage? answer = null;
        try
        {
            answer = await _upstream.ResolveAsync(question.Name, question.RecordType, question.RecordClass,
                new DnsQueryOptions { IsRecursionDesired = query.IsRecursionDesired, IsEDnsEnabled = true });
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or OperationCanceledException)
        {
            _log.LogDebug("forwarding {Name} {Type} failed: {Message}", question.Name, question.RecordType, ex.Message);
        }
        if (answer is null)
        {
            response.ReturnCode = ReturnCode.ServerFailure;
            return;
        }
        response.ReturnCode = answer.ReturnCode;
        response.IsRecursionAllowed = answer.IsRecursionAllowed;
        response.AnswerRecords.AddRange(answer.AnswerRecords);
        response.AuthorityRecords.AddRange(answer.AuthorityRecords);
        response.AdditionalRecords.AddRange(answer.AdditionalRecords.Where(r => r is not OptRecord));
    }

    private static DnsQuestionType TypeOf(RecordType type) => type switch
    {
        RecordType.A => DnsQuestionType.A,
        RecordType.Aaaa => DnsQuestionType.Aaaa,
        RecordType.Srv => DnsQuestionType.Srv,
        RecordType.CName => DnsQuestionType.Cname,
        RecordType.Any => DnsQuestionType.Any,
        _ => DnsQuestionType.Other,
    };
}
