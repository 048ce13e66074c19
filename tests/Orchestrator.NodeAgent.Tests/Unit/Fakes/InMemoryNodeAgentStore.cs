using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Resources;

namespace Orchestrator.NodeAgent.Tests.Unit.Fakes;

/// <summary>
/// An in-memory <see cref="INodeAgentStore"/>: objects by kind/namespace/name with a global
/// resourceVersion, status replaces that touch only the status (as the status subresource does),
/// deletes with the uid precondition, and watches fed on every write. Every write is recorded.
/// </summary>
public sealed class InMemoryNodeAgentStore : INodeAgentStore
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Kind, string Ns, string Name), JsonObject> _objects = new();
    private readonly List<(ObjectFilter Filter, Channel<WatchEvent> Channel)> _watches = [];
    private long _resourceVersion;
    private int _uid;

    /// <summary>Every write, e.g. <c>replace/status Pod default/web</c>.</summary>
    public List<string> Writes { get; } = [];

    /// <summary>The object as it is now, or null.</summary>
    public JsonObject? Find(ResourceKind kind, string ns, string name)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (_gate) return _objects.TryGetValue(Key(kind, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
    }

    /// <summary>Puts an object in as another component's write would (a uid is given when it has none).</summary>
    public JsonObject Put(ResourceKind kind, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        lock (_gate)
        {
            obj = (JsonObject)obj.DeepClone();
            obj["kind"] ??= kind.Kind;
            obj["apiVersion"] ??= kind.ApiVersion;
            if (obj.Uid() is null) obj.Metadata()["uid"] = $"uid-{++_uid}";
            var key = Key(kind, obj.Namespace(), obj.Name());
            return Store(kind, key, obj, _objects.ContainsKey(key) ? WatchEventType.Modified : WatchEventType.Added);
        }
    }

    public Task<JsonObject> Get(ResourceKind kind, string ns, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (_gate)
        {
            return _objects.TryGetValue(Key(kind, ns, name), out var o)
                ? Task.FromResult((JsonObject)o.DeepClone())
                : Task.FromException<JsonObject>(new ApiErrorException(ApiError.NotFound(kind, name)));
        }
    }

    public Task<JsonObject> Create(ResourceKind kind, string ns, JsonObject obj, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        lock (_gate)
        {
            var key = Key(kind, ns, obj.Name());
            if (_objects.ContainsKey(key)) return Task.FromException<JsonObject>(new ApiErrorException(ApiError.AlreadyExists(kind, obj.Name())));
            obj = (JsonObject)obj.DeepClone();
            obj.Metadata()["uid"] = $"uid-{++_uid}";
            Writes.Add($"create {kind.Kind} {ns}/{obj.Name()}");
            return Task.FromResult(Store(kind, key, obj, WatchEventType.Added));
        }
    }

    public Task<JsonObject> Replace(ResourceKind kind, string ns, string name, JsonObject obj, Subresource subresource = Subresource.Main, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        lock (_gate)
        {
            var key = Key(kind, ns, name);
            if (!_objects.TryGetValue(key, out var current)) return Task.FromException<JsonObject>(new ApiErrorException(ApiError.NotFound(kind, name)));
            if (obj.ResourceVersion() is { Length: > 0 } rv && rv != current.ResourceVersion())
                return Task.FromException<JsonObject>(new ApiErrorException(ApiError.Conflict(kind, name, "the object has been modified")));
            JsonObject updated;
            if (subresource == Subresource.Status)
            {
                updated = (JsonObject)current.DeepClone();
                updated["status"] = obj["status"]?.DeepClone();
            }
            else
            {
                updated = (JsonObject)obj.DeepClone();
                updated["status"] = current["status"]?.DeepClone();
                updated.Metadata()["uid"] = current.Uid();
            }
            Writes.Add($"replace{(subresource == Subresource.Status ? "/status" : "")} {kind.Kind} {ns}/{name}");
            return Task.FromResult(Store(kind, key, updated, WatchEventType.Modified));
        }
    }

    public Task<JsonObject> Delete(ResourceKind kind, string ns, string name, DeleteRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (_gate)
        {
            var key = Key(kind, ns, name);
            if (!_objects.TryGetValue(key, out var obj)) return Task.FromException<JsonObject>(new ApiErrorException(ApiError.NotFound(kind, name)));
            if (request?.PreconditionUid is { } uid && uid != obj.Uid())
                return Task.FromException<JsonObject>(new ApiErrorException(ApiError.Conflict(kind, name, "uid precondition failed")));
            Writes.Add($"delete {kind.Kind} {ns}/{name} grace={request?.GracePeriodSeconds?.ToString(CultureInfo.InvariantCulture) ?? "default"}");
            if (request?.GracePeriodSeconds is not 0)
            {
                // A graceful delete marks the object; the node agent deletes it for good once its containers are gone.
                var marked = (JsonObject)obj.DeepClone();
                marked.Metadata()["deletionTimestamp"] ??= "2026-01-01T00:00:00Z";
                marked.Metadata()["deletionGracePeriodSeconds"] = request?.GracePeriodSeconds ?? obj["spec"]?["terminationGracePeriodSeconds"]?.GetValue<long>() ?? 30;
                return Task.FromResult(Store(kind, key, marked, WatchEventType.Modified));
            }
            _objects.Remove(key);
            Notify(kind.Kind, WatchEventType.Deleted, obj, ++_resourceVersion);
            return Task.FromResult(obj);
        }
    }

    public async IAsyncEnumerable<WatchEvent> Watch(ObjectFilter filter, long? fromResourceVersion, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var channel = Channel.CreateUnbounded<WatchEvent>();
        lock (_gate)
        {
            foreach (var ((kind, _, _), obj) in _objects)
                if (filter.Matches(kind, obj)) channel.Writer.TryWrite(new WatchEvent(WatchEventType.Added, (JsonObject)obj.DeepClone(), _resourceVersion));
            _watches.Add((filter, channel));
        }
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct)) yield return e;
        }
        finally
        {
            lock (_gate) _watches.RemoveAll(w => w.Channel == channel);
        }
    }

    private static (string Kind, string Ns, string Name) Key(ResourceKind kind, string ns, string name) => (kind.Kind, kind.Namespaced ? ns : "", name);

    private JsonObject Store(ResourceKind kind, (string Kind, string Ns, string Name) key, JsonObject obj, WatchEventType type)
    {
        var rv = ++_resourceVersion;
        obj.Metadata()["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        _objects[key] = obj;
        Notify(kind.Kind, type, obj, rv);
        return (JsonObject)obj.DeepClone();
    }

    private void Notify(string kind, WatchEventType type, JsonObject obj, long rv)
    {
        foreach (var (filter, channel) in _watches)
            if (filter.Matches(kind, obj)) channel.Writer.TryWrite(new WatchEvent(type, (JsonObject)obj.DeepClone(), rv));
    }
}
