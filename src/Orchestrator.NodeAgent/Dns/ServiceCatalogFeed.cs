using Microsoft.Extensions.Logging;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Dns;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Services;

namespace Orchestrator.NodeAgent.Dns;

/// <summary>
/// Keeps this node's <see cref="ServiceDnsCatalog"/> of the cluster's Services and EndpointSlices
/// current, an informer in the manner of Kubernetes': one list of each kind, then their watches
/// from the lists' resourceVersions, each event applied to the catalog. The store serves both
/// from this member's index, so a DNS query reads memory, never the journal.
/// </summary>
/// <remarks>
/// <code>
///   (start) --list both--> watching --an event--> watching (catalog updated)
///      ^                      |
///      +---- 1 s later -------+-- a watch ends or fails, or a list fails
/// </code>
/// Until the first lists arrive the catalog is empty (the zone's names are NXDOMAIN, other names
/// are forwarded as always).
/// </remarks>
public sealed class ServiceCatalogFeed(INodeAgentStore store, ILogger log, TimeProvider time)
{
    private readonly object _gate = new();
    private ServiceDnsCatalog _catalog = ServiceDnsCatalog.Empty;

    /// <summary>The catalog now: an immutable snapshot.</summary>
    public ServiceDnsCatalog Current => Volatile.Read(ref _catalog);

    /// <summary>Lists and watches until <paramref name="ct"/> is cancelled, starting over after any failure.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ListAndWatchAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("the DNS catalog's watch of Services and EndpointSlices ended ({Message}); listing again in 1s", e.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ListAndWatchAsync(CancellationToken ct)
    {
        var services = await store.List(ObjectFilter.All(ServiceKind.Instance.Kind), ct);
        var slices = await store.List(ObjectFilter.All(EndpointSliceKind.Instance.Kind), ct);
        lock (_gate) Volatile.Write(ref _catalog, ServiceDnsCatalog.From(services.Items, slices.Items));
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var first = await Task.WhenAny(
            FollowAsync(ServiceKind.Instance.Kind, services.ResourceVersion, watching.Token),
            FollowAsync(EndpointSliceKind.Instance.Kind, slices.ResourceVersion, watching.Token));
        await watching.CancelAsync();
        await first; // rethrows the failure that ended it
        ct.ThrowIfCancellationRequested();
        throw new InvalidOperationException("the watch ended");
    }

    private async Task FollowAsync(string kind, long fromResourceVersion, CancellationToken ct)
    {
        await foreach (var e in store.Watch(ObjectFilter.All(kind), fromResourceVersion, ct))
        {
            lock (_gate) Volatile.Write(ref _catalog, _catalog.Apply(kind, e.Type, e.Object));
        }
    }
}
