using System.Diagnostics;
using System.Net;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>The ClusterIPs added to the pod network's bridge interface, so the node's pods' packets to them are delivered to the host.</summary>
public interface IServiceAddresses
{
    /// <summary>The /32 addresses on <paramref name="device"/>.</summary>
    Task<IReadOnlyList<IPAddress>> ListAsync(string device, CancellationToken ct);

    /// <summary>Adds <paramref name="address"/>/32 to <paramref name="device"/> (nothing when it is there).</summary>
    Task AddAsync(string device, IPAddress address, CancellationToken ct);

    /// <summary>Removes <paramref name="address"/>/32 from <paramref name="device"/> (nothing when it is not there).</summary>
    Task RemoveAsync(string device, IPAddress address, CancellationToken ct);
}

/// <summary>
/// <see cref="IServiceAddresses"/> through iproute2's <c>ip addr</c> (netlink underneath; needs
/// CAP_NET_ADMIN). No netlink library is served to this project, and the calls are rare (a Service
/// created or deleted), so a process per change costs nothing that matters.
/// </summary>
public sealed class IpCommandServiceAddresses : IServiceAddresses
{
    public async Task<IReadOnlyList<IPAddress>> ListAsync(string device, CancellationToken ct)
    {
        var output = await RunAsync(ct, "-4", "-o", "addr", "show", "dev", device);
        var addresses = new List<IPAddress>();
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var inet = Array.IndexOf(parts, "inet");
            if (inet < 0 || inet + 1 >= parts.Length || !parts[inet + 1].EndsWith("/32", StringComparison.Ordinal)) continue;
            if (IPAddress.TryParse(parts[inet + 1][..^3], out var address)) addresses.Add(address);
        }
        return addresses;
    }

    public async Task AddAsync(string device, IPAddress address, CancellationToken ct)
    {
        if ((await ListAsync(device, ct)).Contains(address)) return;
        await RunAsync(ct, "-4", "addr", "add", address + "/32", "dev", device);
    }

    public async Task RemoveAsync(string device, IPAddress address, CancellationToken ct)
    {
        if (!(await ListAsync(device, ct)).Contains(address)) return;
        await RunAsync(ct, "-4", "addr", "del", address + "/32", "dev", device);
    }

    private static async Task<string> RunAsync(CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start ip");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({process.ExitCode}): {(await stderr).Trim()}");
        return await stdout;
    }
}
