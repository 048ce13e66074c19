using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Domain.ServiceAllocations;

/// <summary>An IPv4 range in CIDR notation from which ClusterIPs are handed out (its network and broadcast addresses never).</summary>
public sealed record ClusterIpRange(uint Network, int PrefixLength)
{
    public static ClusterIpRange Parse(string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 8 or > 30)
            throw new FormatException($"'{cidr}' is not an IPv4 CIDR with a prefix length of 8 to 30 (e.g. 10.96.0.0/16)");
        var value = BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
        var mask = uint.MaxValue << (32 - prefix);
        if ((value & ~mask) != 0) throw new FormatException($"'{cidr}' has host bits set; the network is {Format(value & mask)}/{prefix}");
        return new ClusterIpRange(value, prefix);
    }

    /// <summary>How many addresses can be handed out.</summary>
    public long Size => (1L << (32 - PrefixLength)) - 2;

    /// <summary>The address at <paramref name="offset"/> (0 to <see cref="Size"/> - 1).</summary>
    public string At(long offset) => Format((uint)(Network + 1 + offset));

    public bool Contains(string ip) => Offset(ip) is not null;

    /// <summary>The offset of an address in the range, or null when it is not a usable address of it.</summary>
    public long? Offset(string ip)
    {
        if (!IPAddress.TryParse(ip, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetwork) return null;
        var value = BinaryPrimitives.ReadUInt32BigEndian(parsed.GetAddressBytes());
        var offset = (long)value - Network - 1;
        return offset >= 0 && offset < Size ? offset : null;
    }

    public override string ToString() => $"{Format(Network)}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    private static string Format(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }
}

/// <summary>The NodePort range ("30000-32767" by default), both ends included.</summary>
public sealed record NodePortRange(int Min, int Max)
{
    public static NodePortRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('-');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max) || min < 1 || max > 65535 || min > max)
            throw new FormatException($"'{text}' is not a port range such as 30000-32767");
        return new NodePortRange(min, max);
    }

    public int Size => Max - Min + 1;

    public bool Contains(long port) => port >= Min && port <= Max;

    public override string ToString() => $"{Min.ToString(CultureInfo.InvariantCulture)}-{Max.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>The ranges Services get their addresses from.</summary>
public sealed record ServiceRanges(ClusterIpRange ClusterIps, NodePortRange NodePorts)
{
    public static ServiceRanges Default { get; } = new(ClusterIpRange.Parse("10.96.0.0/16"), NodePortRange.Parse("30000-32767"));
}
