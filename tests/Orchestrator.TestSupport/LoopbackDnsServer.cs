using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Orchestrator.TestSupport;

/// <summary>
/// A DNS server on 127.0.0.1 (UDP and TCP, a free port) standing in for a host's resolver: answers
/// the A records it was given, no data for other types of those names, NXDOMAIN for any other name,
/// and counts the questions it got. Nothing it answers leaves the machine.
/// </summary>
public sealed class LoopbackDnsServer : IDisposable
{
    private readonly DnsServer _server;
    private readonly IReadOnlyDictionary<string, IPAddress> _records;
    private int _questions;

    /// <param name="records">Name (without trailing dot) → its A record.</param>
    public LoopbackDnsServer(IReadOnlyDictionary<string, IPAddress> records)
    {
        _records = records;
        Port = FreePorts.Next();
        var endpoint = new IPEndPoint(IPAddress.Loopback, Port);
        _server = new DnsServer(new UdpServerTransport(endpoint, 2000), new TcpServerTransport(endpoint, 2000, 2000));
        _server.QueryReceived += Answer;
        _server.Start();
    }

    public int Port { get; }

    /// <summary>How many questions it was asked so far.</summary>
    public int Questions => Volatile.Read(ref _questions);

    private Task Answer(object sender, QueryReceivedEventArgs e)
    {
        Interlocked.Increment(ref _questions);
        var query = (DnsMessage)e.Query;
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        var question = query.Questions[0];
        if (_records.TryGetValue(question.Name.ToString().TrimEnd('.'), out var address))
        {
            if (question.RecordType == RecordType.A) response.AnswerRecords.Add(new ARecord(question.Name, 30, address));
        }
        else
        {
            response.ReturnCode = ReturnCode.NxDomain;
        }
        e.Response = response;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        try
        {
            _server.Stop();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            // Stopped before its accept loops ran: the library sees them cancelled.
        }
    }
}
