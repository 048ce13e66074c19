using System.Net.Sockets;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>Copies two connected sockets into each other until both directions have ended, passing each end's half-close on.</summary>
public static class Splice
{
    public static async Task RunAsync(Socket a, Socket b, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        try
        {
            await Task.WhenAll(CopyAsync(a, b, ct), CopyAsync(b, a, ct));
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    private static async Task CopyAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (read == 0) break;
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side reset or went away: end both, so the other side learns it too.
            from.Dispose();
            to.Dispose();
        }
    }
}
