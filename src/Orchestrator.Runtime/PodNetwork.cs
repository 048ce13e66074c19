using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Runtime;

/// <summary>The engine network this node's pod sandboxes are attached to.</summary>
/// <param name="Name">The engine's name of the network (<c>orchestrator-&lt;node&gt;</c> when the node manages it).</param>
/// <param name="Subnet">The pods' subnet; every pod address of this node is in it.</param>
/// <param name="Gateway">The host's address on the network (the pods' default route): where a resolver or the service proxy the pods reach listens.</param>
/// <param name="BridgeInterface">The host's interface of the network (<c>br-&lt;id&gt;</c>, <c>docker0</c>); ClusterIPs are added to it.</param>
public sealed record PodNetwork(string Name, IPNetwork Subnet, IPAddress Gateway, string BridgeInterface)
{
    /// <summary>The prefix length of each node's subnet taken out of the pool.</summary>
    public const int NodePrefixLength = 24;

    /// <summary>The name of the network of node <paramref name="nodeName"/>.</summary>
    public static string NameFor(string nodeName) => "orchestrator-" + nodeName;

    /// <summary>
    /// The /24 subnets of <paramref name="pool"/> in the order a node tries them: from one picked
    /// by a stable hash of <paramref name="nodeName"/> round the pool (so nodes sharing one engine
    /// mostly get different subnets at the first try), each with its first address as gateway.
    /// </summary>
    /// <exception cref="ArgumentException">The pool is not IPv4 or is smaller than a /24.</exception>
    public static IEnumerable<(IPNetwork Subnet, IPAddress Gateway)> Candidates(IPNetwork pool, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        if (pool.BaseAddress.AddressFamily != AddressFamily.InterNetwork || pool.PrefixLength > NodePrefixLength)
            throw new ArgumentException($"the pod subnet pool {pool} must be an IPv4 network of prefix length {NodePrefixLength} or less", nameof(pool));
        var count = 1 << (NodePrefixLength - pool.PrefixLength);
        var start = (int)(Fnv1a(nodeName) % (uint)count);
        var baseValue = ToUInt32(pool.BaseAddress);
        for (var i = 0; i < count; i++)
        {
            var subnet = baseValue + ((uint)((start + i) % count) << (32 - NodePrefixLength));
            yield return (new IPNetwork(FromUInt32(subnet), NodePrefixLength), FromUInt32(subnet + 1));
        }
    }

    /// <summary>The address as a big-endian number.</summary>
    public static uint ToUInt32(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var b = address.GetAddressBytes();
        if (b.Length != 4) throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    public static IPAddress FromUInt32(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return hash;
    }
}
