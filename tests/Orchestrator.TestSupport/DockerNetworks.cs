using Docker.DotNet;

namespace Orchestrator.TestSupport;

/// <summary>Removes the pod networks nodes of a test created (a node's network outlives its process), so test runs do not use up the subnet pool.</summary>
public static class DockerNetworks
{
    /// <summary>Removes the network <paramref name="name"/> if it exists and no container uses it; nothing to do without Docker.</summary>
    public static async Task RemoveQuietlyAsync(string name)
    {
        if (RealParts.DockerUnavailable is not null) return;
        using var docker = new DockerClientConfiguration(new Uri("unix://" + RealParts.DockerSocket)).CreateClient();
        try
        {
            await docker.Networks.DeleteNetworkAsync(name);
        }
        catch (DockerApiException)
        {
            // Missing, or still used by a container another test left: the pool's pruning takes it later.
        }
    }
}
