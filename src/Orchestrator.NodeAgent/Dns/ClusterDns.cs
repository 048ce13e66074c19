using System.Net;
using Microsoft.Extensions.Logging;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Dns;

/// <summary>The node's cluster DNS as it runs: the catalog's feed and the resolver on its address.</summary>
/// <remarks>
/// <code>
///   (start) --address known, bound--> answering --stopped--> (end)
///      ^  |
///      +--+ the pod network is not there yet, or the address is not the host's / port 53 taken: retry in 5 s
/// </code>
/// Pods are given the address whether or not the resolver is bound yet (as kubelet gives the
/// cluster DNS address); their lookups time out until it is.
/// </remarks>
public static class ClusterDns
{
    /// <summary>Runs until <paramref name="ct"/> is cancelled.</summary>
    public static async Task RunAsync(ClusterDnsSettings settings, IContainerRuntime runtime, ServiceCatalogFeed feed, ILogger log, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(feed);
        var feeding = feed.RunAsync(ct);
        using var server = new ClusterDnsServer(settings, () => feed.Current, log);
        if (settings.Host.Nameservers.Count == 0)
            log.LogWarning("the host's resolv.conf names no nameserver: the cluster resolver answers only {Domain}, other names SERVFAIL", settings.ClusterDomain);
        while (!ct.IsCancellationRequested)
        {
            IPEndPoint? endpoint = null;
            try
            {
                endpoint = new IPEndPoint(settings.ListenAddress ?? (await runtime.GetPodNetworkAsync(ct)).Gateway, settings.Port);
                server.Start(endpoint);
                log.LogInformation("cluster DNS for {Domain} answering on {Endpoint} (UDP and TCP), forwarding other names to {Upstreams}",
                    settings.ClusterDomain, endpoint, string.Join(", ", settings.Host.Nameservers));
                break;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("the cluster resolver cannot listen on {Endpoint} yet: {Message}; trying again in 5s", endpoint?.ToString() ?? "the pod network's gateway", e.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), time, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        try
        {
            await feeding;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
