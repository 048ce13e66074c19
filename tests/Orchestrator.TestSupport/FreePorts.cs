using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.TestSupport;

/// <summary>
/// TCP ports for test processes to listen on. A port the kernel hands out for port 0 comes from its
/// ephemeral range, the same range it draws from for every outgoing connection: between the moment
/// the test releases it and the moment the node binds it, an HTTP client, Docker's proxy or another
/// test can take it ("address already in use", seen in CI). These ports come from below that range,
/// where the kernel never assigns one by itself, picked at random and checked free on every address.
/// </summary>
public static class FreePorts
{
    private const int Lowest = 10_000;
    private static readonly object Gate = new();
    private static readonly HashSet<int> HandedOut = [];
    private static readonly int Highest = EphemeralRangeStart() - 1;

    /// <summary>A port nothing listens on now, never handed out before by this process.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 1_000; attempt++)
        {
            var port = Random.Shared.Next(Lowest, Highest + 1);
            lock (Gate)
            {
                if (HandedOut.Contains(port) || !IsFree(port)) continue;
                HandedOut.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free TCP port between {Lowest} and {Highest} after 1,000 attempts");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var any = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            any.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (32768 when it cannot be read).</summary>
    private static int EphemeralRangeStart()
    {
        const string rangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            var first = File.ReadAllText(rangeFile).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
            var start = int.Parse(first, CultureInfo.InvariantCulture);
            return start > Lowest + 1_000 ? start : 32_768;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
