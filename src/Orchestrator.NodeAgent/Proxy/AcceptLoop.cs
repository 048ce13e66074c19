using System.Net.Sockets;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>The one accept loop of the proxy's TCP listeners: each accepted connection is served on its own task until the listener closes or <c>stop</c> is cancelled.</summary>
internal static class AcceptLoop
{
    public static async Task Run(Socket listener, Func<Socket, Task> serve, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            _ = serve(client);
        }
    }
}
