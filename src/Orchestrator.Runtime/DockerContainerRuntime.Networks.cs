using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Runtime.Internal;

namespace Orchestrator.Runtime;

/// <summary>
/// The pod network: with <see cref="DockerRuntimeOptions.PodSubnetPool"/> a user-defined bridge
/// network of this node's own (Docker isolates such networks from each other, as real hosts' pod
/// networks are), else the configured existing network.
/// </summary>
public sealed partial class DockerContainerRuntime
{
    /// <summary>The label on networks this runtime created, holding the node's name.</summary>
    public const string NetworkNodeLabel = ContainerLabels.Node;

    private readonly SemaphoreSlim _networkLock = new(1, 1);
    private PodNetwork? _podNetwork;

    /// <inheritdoc />
    public async Task<PodNetwork> GetPodNetworkAsync(CancellationToken cancellationToken)
    {
        if (_podNetwork is { } known) return known;
        await _networkLock.WaitAsync(cancellationToken);
        try
        {
            return _podNetwork ??= await EnsurePodNetworkAsync(cancellationToken);
        }
        catch (Exception e) when (EngineErrors.IsEngineFailure(e) || IsTimeout(e, cancellationToken))
        {
            throw EngineErrors.Unexpected($"cannot set up the pod network \"{_options.Network}\"", e);
        }
        finally
        {
            _networkLock.Release();
        }
    }

    /// <summary>Forgets the network read before (it was removed behind this runtime's back): the next use creates it again.</summary>
    private void ForgetPodNetwork() => _podNetwork = null;

    /// <summary>
    /// Creates a sandbox container on the pod network, setting the network up first; when the engine
    /// says the network is gone (pruned while this node had no pods), sets it up again and retries once.
    /// </summary>
    private async Task<string> CreateOnPodNetworkAsync(CreateContainerParameters parameters, CancellationToken ct)
    {
        await GetPodNetworkAsync(ct);
        try
        {
            return (await _client.Containers.CreateContainerAsync(parameters, ct)).ID;
        }
        catch (Exception e) when (IsMissingNetwork(e))
        {
            ForgetPodNetwork();
            await GetPodNetworkAsync(ct);
            return (await _client.Containers.CreateContainerAsync(parameters, ct)).ID;
        }
    }

    private static bool IsMissingNetwork(Exception e) =>
        e is DockerNetworkNotFoundException ||
        (e is DockerApiException { StatusCode: HttpStatusCode.NotFound } && EngineErrors.MessageOf(e).Contains("network", StringComparison.OrdinalIgnoreCase));

    private async Task<PodNetwork> EnsurePodNetworkAsync(CancellationToken ct)
    {
        if (await InspectNetworkAsync(ct) is { } existing) return existing;
        if (_options.PodSubnetPool is not { } pool)
            throw new ContainerRuntimeException(RuntimeErrorReasons.RuntimeError, $"the engine has no network \"{_options.Network}\" for pods", null);

        for (var round = 0; round < 2; round++)
        {
            foreach (var (subnet, gateway) in PodNetwork.Candidates(pool, _options.NodeName))
            {
                try
                {
                    await _client.Networks.CreateNetworkAsync(new NetworksCreateParameters
                    {
                        Name = _options.Network,
                        Driver = "bridge",
                        CheckDuplicate = true,
                        Labels = new Dictionary<string, string> { [NetworkNodeLabel] = _options.NodeName },
                        IPAM = new IPAM { Config = [new IPAMConfig { Subnet = subnet.ToString(), Gateway = gateway.ToString() }] },
                    }, ct);
                    return await InspectNetworkAsync(ct) ?? throw new ContainerRuntimeException(RuntimeErrorReasons.RuntimeError, $"the network \"{_options.Network}\" vanished right after it was created", null);
                }
                catch (DockerApiException e) when (EngineErrors.MessageOf(e).Contains("overlaps", StringComparison.OrdinalIgnoreCase))
                {
                    // Another network (another node's, or the host's) holds this subnet: the next one.
                }
                catch (DockerApiException e) when (EngineErrors.MessageOf(e).Contains("already exists", StringComparison.OrdinalIgnoreCase))
                {
                    if (await InspectNetworkAsync(ct) is { } raced) return raced;
                }
            }

            // Every subnet is taken: free those of nodes' networks no container uses any more
            // (left behind by nodes that are gone), then try once more.
            await _client.Networks.PruneNetworksAsync(new NetworksDeleteUnusedParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [NetworkNodeLabel] = true } },
            }, ct);
        }
        throw new ContainerRuntimeException(RuntimeErrorReasons.RuntimeError, $"no /{PodNetwork.NodePrefixLength} of the pod subnet pool {pool} is free for the network \"{_options.Network}\"", null);
    }

    private async Task<PodNetwork?> InspectNetworkAsync(CancellationToken ct)
    {
        NetworkResponse network;
        try
        {
            network = await _client.Networks.InspectNetworkAsync(_options.Network, ct);
        }
        catch (Exception e) when (IsMissingNetwork(e))
        {
            return null;
        }
        var config = network.IPAM?.Config?.FirstOrDefault(c => IPNetwork.TryParse(c.Subnet, out var s) && s.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new ContainerRuntimeException(RuntimeErrorReasons.RuntimeError, $"the network \"{_options.Network}\" has no IPv4 subnet", null);
        var subnet = IPNetwork.Parse(config.Subnet);
        var gateway = IPAddress.TryParse(config.Gateway, out var g) ? g : PodNetwork.FromUInt32(PodNetwork.ToUInt32(subnet.BaseAddress) + 1);
        var bridge = network.Options is { } options && options.TryGetValue("com.docker.network.bridge.name", out var name) && name.Length > 0
            ? name
            : "br-" + network.ID[..12];
        return new PodNetwork(network.Name, subnet, gateway, bridge);
    }
}
