using Akka.Configuration;
using Orchestrator.Domain.ServiceAllocations;

namespace Orchestrator.Cluster.Services;

/// <summary>Settings of Service address allocation, read once from <c>orchestrator.services</c>.</summary>
public sealed record ServiceSettings(ServiceRanges Ranges)
{
    public static ServiceSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ipRange = config.GetString("cluster-ip-range", "10.96.0.0/16");
        var portRange = config.GetString("node-port-range", "30000-32767");
        try
        {
            return new ServiceSettings(new ServiceRanges(ClusterIpRange.Parse(ipRange), NodePortRange.Parse(portRange)));
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"orchestrator.services: {e.Message}");
        }
    }
}
