using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// The part of the <see cref="ResourceStore"/> the scheduler and controllers use, so tests can put
/// a fake in its place. The product path is <see cref="ResourceStoreControllerStore"/>.
/// </summary>
public interface IControllerStore
{
    Task<JsonObject> Get(ResourceKind kind, string ns, string name, CancellationToken ct = default);

    Task<JsonObject> Create(ResourceKind kind, string ns, JsonObject obj, CancellationToken ct = default);

    Task<JsonObject> Patch(ResourceKind kind, string ns, string name, PatchType type, JsonNode patch, Subresource subresource = Subresource.Main, CancellationToken ct = default);

    Task<JsonObject> Delete(ResourceKind kind, string ns, string name, DeleteRequest request, CancellationToken ct = default);

    Task<JsonObject> Bind(string ns, string podName, string nodeName, CancellationToken ct = default);

    /// <summary>A consistent list: every object the filter selects, and the resourceVersion to watch from.</summary>
    Task<ObjectList> List(ObjectFilter filter, CancellationToken ct = default);

    /// <summary>ADDED for every current object (when <paramref name="fromResourceVersion"/> is null), then every change.</summary>
    IAsyncEnumerable<WatchEvent> Watch(ObjectFilter filter, long? fromResourceVersion, CancellationToken ct = default);
}

/// <summary>The real store behind <see cref="IControllerStore"/>.</summary>
public sealed class ResourceStoreControllerStore(ResourceStore store) : IControllerStore
{
    public Task<JsonObject> Get(ResourceKind kind, string ns, string name, CancellationToken ct = default) => store.Get(kind, ns, name, ct);

    public Task<JsonObject> Create(ResourceKind kind, string ns, JsonObject obj, CancellationToken ct = default) => store.Create(kind, ns, obj, ct);

    public Task<JsonObject> Patch(ResourceKind kind, string ns, string name, PatchType type, JsonNode patch, Subresource subresource = Subresource.Main, CancellationToken ct = default) =>
        store.Patch(kind, ns, name, type, patch, subresource, "patched", ct);

    public Task<JsonObject> Delete(ResourceKind kind, string ns, string name, DeleteRequest request, CancellationToken ct = default) =>
        store.Delete(kind, ns, name, request, ct);

    public Task<JsonObject> Bind(string ns, string podName, string nodeName, CancellationToken ct = default) => store.Bind(ns, podName, nodeName, ct);

    public Task<ObjectList> List(ObjectFilter filter, CancellationToken ct = default) => store.List(filter, ct);

    public IAsyncEnumerable<WatchEvent> Watch(ObjectFilter filter, long? fromResourceVersion, CancellationToken ct = default) =>
        store.Watch(filter, fromResourceVersion, ct);
}
