using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Resources;

namespace Orchestrator.NodeAgent;

/// <summary>
/// What the node agent reads and writes in the control plane's store: its Node (register,
/// heartbeat), the pods bound to it (watch, status, final delete), the Secrets and ConfigMaps
/// their env reads, and the Services (environment variables, DNS) and EndpointSlices (DNS). Failures are <see cref="ApiErrorException"/>s carrying the Kubernetes status,
/// as <see cref="ResourceStore"/> raises them.
/// </summary>
public interface INodeAgentStore
{
    Task<JsonObject> Get(ResourceKind kind, string ns, string name, CancellationToken ct = default);

    Task<JsonObject> Create(ResourceKind kind, string ns, JsonObject obj, CancellationToken ct = default);

    Task<JsonObject> Replace(ResourceKind kind, string ns, string name, JsonObject obj, Subresource subresource = Subresource.Main, CancellationToken ct = default);

    Task<JsonObject> Delete(ResourceKind kind, string ns, string name, DeleteRequest request, CancellationToken ct = default);

    /// <summary>A consistent list: every object the filter selects as of the call, with the list's resourceVersion.</summary>
    Task<ObjectList> List(ObjectFilter filter, CancellationToken ct = default);

    /// <summary>ADDED for every current object (when <paramref name="fromResourceVersion"/> is null), then every change.</summary>
    IAsyncEnumerable<WatchEvent> Watch(ObjectFilter filter, long? fromResourceVersion, CancellationToken ct = default);
}

/// <summary>The real store behind <see cref="INodeAgentStore"/>.</summary>
public sealed class ResourceStoreNodeAgentStore(ResourceStore store) : INodeAgentStore
{
    public Task<JsonObject> Get(ResourceKind kind, string ns, string name, CancellationToken ct = default) => store.Get(kind, ns, name, ct);

    public Task<JsonObject> Create(ResourceKind kind, string ns, JsonObject obj, CancellationToken ct = default) => store.Create(kind, ns, obj, ct);

    public Task<JsonObject> Replace(ResourceKind kind, string ns, string name, JsonObject obj, Subresource subresource = Subresource.Main, CancellationToken ct = default) =>
        store.Replace(kind, ns, name, obj, subresource, ct);

    public Task<JsonObject> Delete(ResourceKind kind, string ns, string name, DeleteRequest request, CancellationToken ct = default) =>
        store.Delete(kind, ns, name, request, ct);

    public Task<ObjectList> List(ObjectFilter filter, CancellationToken ct = default) => store.List(filter, ct);

    public IAsyncEnumerable<WatchEvent> Watch(ObjectFilter filter, long? fromResourceVersion, CancellationToken ct = default) =>
        store.Watch(filter, fromResourceVersion, ct);
}
