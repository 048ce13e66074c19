using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Patching;
using Orchestrator.Domain.Resources;
using Orchestrator.NodeAgent;

namespace Orchestrator.TestSupport.Stores;

/// <summary>
/// An in-memory store in place of the control plane's, for the controllers and scheduler
/// (<see cref="IControllerStore"/>) and the node agent (<see cref="INodeAgentStore"/>): objects by
/// kind/namespace/name with a global resourceVersion, uids and generations, watches fed
/// synchronously on every write (and resumed from a resourceVersion out of a history), patches of
/// every type, replaces that touch only the status on the status subresource, deletes with uid and
/// resourceVersion preconditions and finalizers, a refused second bind (409) like the pod entity,
/// and a record of every write. Tests inject failures, slow watches and graceful pod deletes.
/// </summary>
public sealed class InMemoryStore : IControllerStore, INodeAgentStore
{
    private const string Epoch = "2026-01-01T00:00:00Z";

    private readonly object _gate = new();
    private readonly Dictionary<(string Kind, string Ns, string Name), JsonObject> _objects = new();
    private readonly List<(ObjectFilter Filter, Channel<WatchEvent> Channel)> _watches = [];
    private readonly List<(string Kind, WatchEvent Event)> _history = [];
    private readonly List<(string Kind, WatchEvent Event)> _held = [];
    private long _resourceVersion;
    private int _uid;

    /// <summary>Every write, e.g. <c>create Pod default/web</c>, <c>replace/status Pod default/web</c>, <c>delete Pod default/web Foreground grace=0</c>.</summary>
    public List<string> Writes { get; } = [];

    /// <summary>Set to make the next writes of this verb fail (e.g. "bind" → 500).</summary>
    public Func<string, ApiError?> FailWrite { get; set; } = _ => null;

    /// <summary>
    /// True: deleting a pod without a grace period of 0 only marks it (a deletion timestamp and
    /// grace, MODIFIED), as the pod entity does for a pod a node agent must stop first;
    /// <see cref="Remove"/> or a delete with grace 0 then ends it (DELETED).
    /// </summary>
    public bool GracefulPodDeletes { get; set; }

    /// <summary>Watch events this returns true for are held back (a slow watch) until <see cref="ReleaseHeld"/>.</summary>
    public Func<string, WatchEvent, bool> HoldEvent { get; set; } = (_, _) => false;

    /// <summary>
    /// True: a list waits while watch events are held back, as a consistent read waits until the
    /// index behind the watches has caught up with the journal (<see cref="ReleaseHeld"/> answers it).
    /// </summary>
    public bool ConsistentLists { get; set; }

    /// <summary>How many lists were answered.</summary>
    public int ListsAnswered => Volatile.Read(ref _listsAnswered);

    private readonly List<(ObjectFilter Filter, TaskCompletionSource<ObjectList> Result)> _waitingLists = [];
    private int _listsAnswered;

    /// <summary>Delivers the held watch events, in the order they were held, and holds no more.</summary>
    public void ReleaseHeld()
    {
        lock (_gate)
        {
            HoldEvent = (_, _) => false;
            foreach (var (kind, e) in _held)
                foreach (var (filter, channel) in _watches)
                    if (filter.Matches(kind, e.Object)) channel.Writer.TryWrite(e);
            _held.Clear();
            foreach (var (filter, result) in _waitingLists) result.TrySetResult(ListNow(filter));
            _waitingLists.Clear();
        }
    }

    /// <summary>How many watches of <paramref name="kind"/> are open (a controller watches once its list is in).</summary>
    public int WatchCount(string kind)
    {
        lock (_gate) return _watches.Count(w => w.Filter.Kind == kind);
    }

    public IReadOnlyList<JsonObject> All(string kind)
    {
        lock (_gate) return _objects.Where(o => o.Key.Kind == kind).Select(o => (JsonObject)o.Value.DeepClone()).ToList();
    }

    /// <summary>The object as it is now, or null.</summary>
    public JsonObject? Find(string kind, string ns, string name)
    {
        lock (_gate) return _objects.TryGetValue((kind, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
    }

    /// <summary>The object as it is now, or null.</summary>
    public JsonObject? Find(ResourceKind kind, string ns, string name)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return Find(kind.Kind, kind.Namespaced ? ns : "", name);
    }

    /// <summary>Puts an object in as another component's write would (a uid and creation time are given when it has none).</summary>
    public JsonObject Put(ResourceKind kind, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        lock (_gate)
        {
            obj["kind"] ??= kind.Kind;
            obj["apiVersion"] ??= kind.ApiVersion;
            var key = Key(kind, obj.Namespace(), obj.Name());
            var type = _objects.ContainsKey(key) ? WatchEventType.Modified : WatchEventType.Added;
            if (obj.Uid() is null) obj.Metadata()["uid"] = $"uid-{++_uid}";
            obj.Metadata()["creationTimestamp"] ??= Epoch;
            return Store(key, obj, type);
        }
    }

    /// <summary>Ends an object as its last finalizer or its node agent would (DELETED).</summary>
    public void Remove(ResourceKind kind, string ns, string name)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (_gate)
        {
            if (_objects.Remove(Key(kind, ns, name), out var obj)) Notify(kind.Kind, WatchEventType.Deleted, obj, ++_resourceVersion);
        }
    }

    public Task<JsonObject> Get(ResourceKind kind, string ns, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (_gate)
        {
            return _objects.TryGetValue(Key(kind, ns, name), out var o)
                ? Task.FromResult((JsonObject)o.DeepClone())
                : Refused(ApiError.NotFound(kind, name));
        }
    }

    public Task<JsonObject> Create(ResourceKind kind, string ns, JsonObject obj, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        lock (_gate)
        {
            if (FailWrite("create") is { } error) return Refused(error);
            obj = (JsonObject)obj.DeepClone();
            if (obj.Name().Length == 0) obj.Metadata()["name"] = obj.Metadata().GetString("generateName") + (++_uid).ToString(CultureInfo.InvariantCulture);
            if (kind.Namespaced) obj.Metadata()["namespace"] = ns;
            var key = Key(kind, ns, obj.Name());
            if (_objects.ContainsKey(key)) return Refused(ApiError.AlreadyExists(kind, obj.Name()));
            Writes.Add($"create {kind.Kind} {ns}/{obj.Name()}");
            obj.Metadata()["uid"] = $"uid-{++_uid}";
            obj.Metadata()["generation"] = 1;
            obj.Metadata()["creationTimestamp"] ??= Epoch;
            return Task.FromResult(Store(key, obj, WatchEventType.Added));
        }
    }

    public Task<JsonObject> Replace(ResourceKind kind, string ns, string name, JsonObject obj, Subresource subresource = Subresource.Main, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        lock (_gate)
        {
            if (FailWrite("replace") is { } error) return Refused(error);
            var key = Key(kind, ns, name);
            if (!_objects.TryGetValue(key, out var current)) return Refused(ApiError.NotFound(kind, name));
            if (obj.ResourceVersion() is { Length: > 0 } rv && rv != current.ResourceVersion())
                return Refused(ApiError.Conflict(kind, name, "the object has been modified"));
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
            return Task.FromResult(Store(key, updated, WatchEventType.Modified));
        }
    }

    public Task<JsonObject> Patch(ResourceKind kind, string ns, string name, PatchType type, JsonNode patch, Subresource subresource = Subresource.Main, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(patch);
        lock (_gate)
        {
            if (FailWrite("patch") is { } error) return Refused(error);
            var key = Key(kind, ns, name);
            if (!_objects.TryGetValue(key, out var current)) return Refused(ApiError.NotFound(kind, name));
            var updated = type switch
            {
                PatchType.Merge => (JsonObject)JsonMergePatch.Apply(current.DeepClone(), patch)!,
                PatchType.Strategic => StrategicMergePatch.Apply((JsonObject)current.DeepClone(), (JsonObject)patch, kind.Kind),
                _ => (JsonObject)JsonPatch.Apply(current.DeepClone(), patch)!,
            };
            if (!JsonNode.DeepEquals(current["spec"], updated["spec"])) updated.Metadata()["generation"] = current.Generation() + 1;
            Writes.Add($"patch{(subresource == Subresource.Status ? "/status" : "")} {kind.Kind} {ns}/{name} {patch.ToJsonString()}");
            if (updated.IsDeleting() && updated.Finalizers().Count == 0)
            {
                // The last finalizer of a deleting object is gone: so is the object.
                _objects.Remove(key);
                Notify(kind.Kind, WatchEventType.Deleted, updated, ++_resourceVersion);
                return Task.FromResult(updated);
            }
            return Task.FromResult(Store(key, updated, WatchEventType.Modified));
        }
    }

    public Task<JsonObject> Delete(ResourceKind kind, string ns, string name, DeleteRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (_gate)
        {
            if (FailWrite("delete") is { } error) return Refused(error);
            var key = Key(kind, ns, name);
            if (!_objects.TryGetValue(key, out var obj)) return Refused(ApiError.NotFound(kind, name));
            if (request?.PreconditionUid is { } uid && uid != obj.Uid())
                return Refused(ApiError.Conflict(kind, name, "uid precondition failed"));
            if (request?.PreconditionResourceVersion is { } rv && rv != obj.ResourceVersion())
                return Refused(ApiError.Conflict(kind, name, "resourceVersion precondition failed"));
            Writes.Add($"delete {kind.Kind} {ns}/{name}"
                       + (request?.PropagationPolicy is { } policy ? " " + policy : "")
                       + (request?.GracePeriodSeconds is { } grace ? " grace=" + grace.ToString(CultureInfo.InvariantCulture) : ""));
            // Finalizers (the object's own, or those of the propagation policy) keep it, marked deleting;
            // so does a graceful pod delete, until the node agent has stopped the pod's containers.
            var finalizers = DeletionPropagation.Finalizers(kind, obj.Finalizers(), request?.PropagationPolicy);
            var graceful = GracefulPodDeletes && kind.Kind == "Pod" && request?.GracePeriodSeconds is not 0;
            if (finalizers.Count > 0 || graceful)
            {
                var marked = (JsonObject)obj.DeepClone();
                marked.Metadata()["deletionTimestamp"] ??= Epoch;
                if (graceful)
                    marked.Metadata()["deletionGracePeriodSeconds"] = request?.GracePeriodSeconds ?? obj["spec"]?["terminationGracePeriodSeconds"]?.GetValue<long>() ?? 30;
                if (finalizers.Count > 0) marked.Metadata()["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray());
                return Task.FromResult(Store(key, marked, WatchEventType.Modified));
            }
            _objects.Remove(key);
            Notify(kind.Kind, WatchEventType.Deleted, obj, ++_resourceVersion);
            return Task.FromResult(obj);
        }
    }

    public Task<JsonObject> Bind(string ns, string podName, string nodeName, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (FailWrite("bind") is { } error) return Refused(error);
            var key = ("Pod", ns, podName);
            if (!_objects.TryGetValue(key, out var pod)) return Refused(ApiError.NotFound(Domain.Pods.PodKind.Instance, podName));
            if (pod["spec"]?["nodeName"]?.GetValue<string>() is { Length: > 0 } bound)
                return Refused(ApiError.Conflict(Domain.Pods.PodKind.Instance, podName, $"already assigned to node \"{bound}\""));
            var updated = (JsonObject)pod.DeepClone();
            ((JsonObject)updated["spec"]!)["nodeName"] = nodeName;
            Writes.Add($"bind {ns}/{podName} {nodeName}");
            return Task.FromResult(Store(key, updated, WatchEventType.Modified));
        }
    }

    public Task<ObjectList> List(ObjectFilter filter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_gate)
        {
            if (ConsistentLists && _held.Count > 0)
            {
                var waiting = new TaskCompletionSource<ObjectList>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waitingLists.Add((filter, waiting));
                return waiting.Task.WaitAsync(ct);
            }
            return Task.FromResult(ListNow(filter));
        }
    }

    private ObjectList ListNow(ObjectFilter filter)
    {
        Interlocked.Increment(ref _listsAnswered);
        var items = _objects.Where(o => filter.Matches(o.Key.Kind, o.Value)).Select(o => (JsonObject)o.Value.DeepClone()).ToList();
        return new ObjectList(items, _resourceVersion);
    }

    /// <summary>Changes after <paramref name="fromResourceVersion"/> (kept in a history), or ADDED for everything then changes.</summary>
    public async IAsyncEnumerable<WatchEvent> Watch(ObjectFilter filter, long? fromResourceVersion, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var channel = Channel.CreateUnbounded<WatchEvent>();
        lock (_gate)
        {
            if (fromResourceVersion is { } from)
            {
                foreach (var (kind, e) in _history)
                    if (e.ResourceVersion > from && filter.Matches(kind, e.Object)) channel.Writer.TryWrite(e);
            }
            else
            {
                foreach (var ((kind, _, _), obj) in _objects)
                    if (filter.Matches(kind, obj)) channel.Writer.TryWrite(new WatchEvent(WatchEventType.Added, (JsonObject)obj.DeepClone(), _resourceVersion));
            }
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

    private static Task<JsonObject> Refused(ApiError error) => Task.FromException<JsonObject>(new ApiErrorException(error));

    private JsonObject Store((string Kind, string Ns, string Name) key, JsonObject obj, WatchEventType type)
    {
        var rv = ++_resourceVersion;
        obj.Metadata()["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        _objects[key] = obj;
        Notify(key.Kind, type, obj, rv);
        return (JsonObject)obj.DeepClone();
    }

    private void Notify(string kind, WatchEventType type, JsonObject obj, long rv)
    {
        _history.Add((kind, new WatchEvent(type, (JsonObject)obj.DeepClone(), rv)));
        if (HoldEvent(kind, _history[^1].Event))
        {
            _held.Add(_history[^1]);
            return;
        }
        foreach (var (filter, channel) in _watches)
            if (filter.Matches(kind, obj)) channel.Writer.TryWrite(new WatchEvent(type, (JsonObject)obj.DeepClone(), rv));
    }
}
