using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>
/// This node's endpoint relay: other nodes' proxies reach this node's pods through it, as pod
/// addresses are not routable between nodes. A connection opens with one line,
/// <c>CONNECT &lt;pod ip&gt;:&lt;port&gt;\n</c>; the relay connects to that address, which must be
/// on this node's pod network (it relays nowhere else), answers <c>OK\n</c> and splices the two
/// connections; on failure it answers <c>ERR &lt;reason&gt;\n</c> and closes.
/// </summary>
public sealed class ServiceRelay(IPEndPoint bind, IPNetwork podSubnet, TimeSpan connectTimeout, ILogger log) : IDisposable
{
    public const string Connected = "OK";
    private const int MaxLine = 128;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;

    /// <summary>Where it listens (its port filled in when bound to port 0).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    public static string Request(IPEndPoint target) => $"CONNECT {target.Address}:{target.Port.ToString(CultureInfo.InvariantCulture)}\n";

    /// <summary>Binds and starts accepting; throws <see cref="SocketException"/> when the address is taken.</summary>
    public void Start()
    {
        var listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(bind);
        listener.Listen(512);
        _listener = listener;
        _ = AcceptLoop.Run(listener, Serve, _stop.Token);
    }


    private async Task Serve(Socket client)
    {
        client.NoDelay = true;
        Socket? pod = null;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            deadline.CancelAfter(connectTimeout * 2);
            var line = await ReadLineAsync(client, deadline.Token);
            if (line is null || !line.StartsWith("CONNECT ", StringComparison.Ordinal) || !IPEndPoint.TryParse(line[8..], out var target) || target.Port == 0)
            {
                await Answer(client, "ERR bad request");
                return;
            }
            if (!podSubnet.Contains(target.Address))
            {
                await Answer(client, $"ERR {target.Address} is not on this node's pod network {podSubnet}");
                return;
            }
            try
            {
                pod = await EndpointDialer.ConnectWithin(target, connectTimeout, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                await Answer(client, "ERR " + e.Message);
                return;
            }
            await client.SendAsync(Encoding.ASCII.GetBytes(Connected + "\n"), _stop.Token);
            var splice = Splice.RunAsync(client, pod, _stop.Token);
            client = null!;
            pod = null;
            await splice;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            log.LogDebug("relay connection ended: {Error}", e.Message);
        }
        finally
        {
            client?.Dispose();
            pod?.Dispose();
        }
    }

    private static async Task Answer(Socket client, string line)
    {
        try
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(line + "\n"));
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Reads one line (without its newline) a byte at a time, so nothing after it is consumed; null when the peer closed first or the line is too long.</summary>
    public static async Task<string?> ReadLineAsync(Socket socket, CancellationToken ct)
    {
        var bytes = new List<byte>(64);
        var one = new byte[1];
        while (bytes.Count < MaxLine)
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, ct) == 0) return null;
            if (one[0] == (byte)'\n') return Encoding.ASCII.GetString(bytes.ToArray());
            bytes.Add(one[0]);
        }
        return null;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener?.Dispose();
        _stop.Dispose();
    }
}
