using System.Net;
using System.Net.Sockets;

namespace Orchestrator.TestSupport;

/// <summary>
/// Connections from a chosen loopback source address (127.0.0.2, 127.0.0.3, ...: all of 127.0.0.0/8
/// is this machine), so one process can be several clients to the API's per-client fairness.
/// </summary>
public static class LoopbackSource
{
    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> binding each socket to <paramref name="source"/> before it connects.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectFrom(IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!IPAddress.IsLoopback(source)) throw new ArgumentException($"{source} is not a loopback address: tests talk to loopback only", nameof(source));
        return async (context, cancellationToken) =>
        {
            var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }
}
