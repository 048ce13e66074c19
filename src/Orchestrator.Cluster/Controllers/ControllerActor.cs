using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>A watch event delivered to a controller (from its informer).</summary>
public sealed record Observed(string Kind, WatchEvent Event);

/// <summary>
/// The shape every controller here shares, after Kubernetes' controllers: informers (one list,
/// then one watch from the list's resourceVersion, per kind) feed in-memory caches and only
/// enqueue keys; nothing is synced before every informer has delivered its list (a controller that
/// saw its ReplicaSets but not yet their pods would create pods that exist); a work queue hands each key to one
/// idempotent, level-triggered <see cref="Sync"/> at a time (a key that changes while it is being
/// synced is synced again afterwards; the events waiting in the mailbox all reach the caches before
/// the next sync, so a burst of them costs one sync per key), at most <see cref="Concurrency"/> keys at once; a failed sync
/// is retried with exponential backoff (<see cref="KeyedBackoff"/>: 100 ms doubling to 30 s); every key is resynced periodically.
/// </summary>
/// <remarks>
/// <code>
///   watch ──Observed──► OnObserved (cache) ──keys──► queue ──► Sync(key) ──ok──► done
///                                                      ▲                  └─failed─► backoff timer
///                                                      └── resync timer (all keys) ◄─────┘
/// </code>
/// </remarks>
#pragma warning disable CA1001 // _stop is cancelled and disposed in PostStop, the end of an actor's life
public abstract class ControllerActor : ReceiveActor, IWithTimers
#pragma warning restore CA1001
{
    private readonly LinkedList<string> _queue = new();
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly KeyedBackoff _backoff;
    private readonly Dictionary<string, long> _resourceVersions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
    private bool _pumpPending;

    /// <param name="time">The clock of backoffs and of the controller's decisions (default: the system's).</param>
    protected ControllerActor(IControllerStore store, IReadOnlyList<ObjectFilter> watches, TimeProvider? time = null)
    {
        Store = store;
        Watches = watches;
        Time = time ?? TimeProvider.System;
        _backoff = new KeyedBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), Time);
        Receive<Observed>(o =>
        {
            _resourceVersions[o.Kind] = Math.Max(_resourceVersions.GetValueOrDefault(o.Kind), o.Event.ResourceVersion);
            foreach (var key in OnObserved(o.Kind, o.Event)) Enqueue(key);
            PumpAfterMailbox();
        });
        Receive<Listed>(l =>
        {
            _resourceVersions[l.Kind] = l.List.ResourceVersion;
            foreach (var item in l.List.Items)
                foreach (var key in OnObserved(l.Kind, new WatchEvent(WatchEventType.Added, item, l.List.ResourceVersion))) Enqueue(key);
            _listed.Add(l.Kind);
            Pump();
        });
        Receive<WatchBroken>(b =>
        {
            Log.Warning("watch of {0} ended ({1}); resuming in 1s", b.Filter.Kind, b.Reason);
            Timers.StartSingleTimer("watch-" + b.Filter.Kind, new StartWatch(b.Filter), TimeSpan.FromSeconds(1));
        });
        Receive<StartWatch>(s => StartInformer(s.Filter, _resourceVersions.TryGetValue(s.Filter.Kind, out var rv) && _listed.Contains(s.Filter.Kind) ? rv : null));
        Receive<PumpQueue>(_ =>
        {
            _pumpPending = false;
            Pump();
        });
        Receive<EnqueueKey>(e =>
        {
            Enqueue(e.Key);
            Pump();
        });
        Receive<Resync>(_ =>
        {
            foreach (var key in AllKeys()) Enqueue(key);
            Pump();
        });
        Receive<SyncDone>(d =>
        {
            _inFlight.Remove(d.Key);
            if (d.Error is null)
            {
                _backoff.Reset(d.Key);
            }
            else
            {
                var delay = _backoff.Next(d.Key);
                Log.Warning("sync of {0} failed ({1}); retrying in {2}", d.Key, Describe(d.Error), delay);
                OnSyncFailed(d.Key, d.Error);
                RetryAfter(d.Key, delay);
            }
            Pump();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected ILoggingAdapter Log { get; } = Context.GetLogger();

    protected IControllerStore Store { get; }

    protected TimeProvider Time { get; }

    private IReadOnlyList<ObjectFilter> Watches { get; }

    /// <summary>How many keys are synced at the same time.</summary>
    protected virtual int Concurrency => 4;

    /// <summary>How often every key is synced even without changes (null: never).</summary>
    protected virtual TimeSpan? ResyncInterval => TimeSpan.FromSeconds(30);

    /// <summary>Stops outstanding watches and writes when the actor stops.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Updates the caches from one watch event; returns the keys to sync.</summary>
    protected abstract IEnumerable<string> OnObserved(string kind, WatchEvent e);

    /// <summary>Every key the controller knows, for the periodic resync.</summary>
    protected abstract IEnumerable<string> AllKeys();

    /// <summary>
    /// Syncs one key. Runs on the actor up to its first await: read the caches and decide there;
    /// after an await only locals may be used (never the caches, <c>Self</c> or <c>Sender</c>).
    /// </summary>
    protected abstract Task Sync(string key);

    /// <summary>Called on the actor when a sync failed, before it is retried.</summary>
    protected virtual void OnSyncFailed(string key, Exception error) { }

    /// <summary>Syncs the key again after <paramref name="delay"/> (replaces an earlier pending retry of it).</summary>
    protected void RetryAfter(string key, TimeSpan delay) =>
        Timers.StartSingleTimer("retry-" + key, new EnqueueKey(key), delay);

    protected void Enqueue(string key)
    {
        if (_queued.Add(key)) _queue.AddLast(key);
    }

    protected override void PreStart()
    {
        foreach (var filter in Watches) StartInformer(filter, null);
        if (ResyncInterval is { } every) Timers.StartPeriodicTimer("resync", Resync.Instance, every);
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>
    /// Syncs once the events already in the mailbox are in the caches: a burst of events for one key
    /// (a ReplicaSet whose pods all change) folds into one sync of it instead of one per event, and a
    /// lone event costs no delay (the marker message is next in the mailbox).
    /// </summary>
    private void PumpAfterMailbox()
    {
        if (_pumpPending) return;
        _pumpPending = true;
        Self.Tell(PumpQueue.Instance);
    }

    private void Pump()
    {
        if (_listed.Count < Watches.Count) return;
        var node = _queue.First;
        while (node is not null && _inFlight.Count < Concurrency)
        {
            var next = node.Next;
            var key = node.Value;
            if (!_inFlight.Contains(key))
            {
                _queue.Remove(node);
                _queued.Remove(key);
                _inFlight.Add(key);
                Task task;
                try
                {
                    task = Sync(key);
                }
                catch (Exception e)
                {
                    task = Task.FromException(e);
                }
                if (task.IsCompletedSuccessfully)
                {
                    // Nothing to write (the common case of a resync): done at once, without a round
                    // trip through the mailbox (a node-lifecycle resync syncs every node each period).
                    _inFlight.Remove(key);
                    _backoff.Reset(key);
                }
                else
                {
                    task.ContinueWith(t => new SyncDone(key, t.Exception?.GetBaseException()), TaskScheduler.Default).PipeTo(Self);
                }
            }
            node = next;
        }
    }

    private void StartInformer(ObjectFilter filter, long? fromResourceVersion)
    {
        var self = Self;
        var store = Store;
        var ct = _stop.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                if (fromResourceVersion is null)
                {
                    var list = await store.List(filter, ct);
                    self.Tell(new Listed(filter.Kind, list));
                    fromResourceVersion = list.ResourceVersion;
                }
                await foreach (var e in store.Watch(filter, fromResourceVersion, ct).WithCancellation(ct))
                    self.Tell(new Observed(filter.Kind, e));
                if (!ct.IsCancellationRequested) self.Tell(new WatchBroken(filter, "the watch ended"));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                self.Tell(new WatchBroken(filter, Describe(e)));
            }
        }, CancellationToken.None);
    }

    /// <summary>The key of a namespaced object: <c>namespace/name</c>.</summary>
    protected static string KeyOf(JsonObject obj) => $"{obj.Namespace()}/{obj.Name()}";

    /// <summary>
    /// True when an event may change what a sync decides: anything but a modification that leaves
    /// <paramref name="sameInputs"/> (the reconciler's own reading of what it looks at) unchanged.
    /// </summary>
    protected static bool MayMatter(WatchEvent e, JsonObject? previous, Func<JsonObject, JsonObject, bool> sameInputs)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(sameInputs);
        return e.Type != WatchEventType.Modified || previous is null || !sameInputs(previous, e.Object);
    }

    /// <summary>
    /// Applies a watch event of an owner (a ReplicaSet, a Job, ...) to its cache and to the index of
    /// its dependents; true when the owner was deleted.
    /// </summary>
    protected static bool ObserveOwner(Dictionary<string, JsonObject> owners, OwnerIndex dependents, string key, WatchEvent e)
    {
        ArgumentNullException.ThrowIfNull(dependents);
        UpdateCache(owners, key, e);
        if (e.Type == WatchEventType.Deleted)
        {
            dependents.RemoveOwner(e.Object);
            return true;
        }
        dependents.AddOwner(key, e.Object);
        return false;
    }

    /// <summary>Applies a watch event to a cache of objects by key; returns the version it replaced or removed.</summary>
    protected static JsonObject? UpdateCache(Dictionary<string, JsonObject> cache, string key, WatchEvent e)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(e);
        cache.TryGetValue(key, out var previous);
        if (e.Type == WatchEventType.Deleted) cache.Remove(key);
        else cache[key] = e.Object;
        return previous;
    }

    private sealed record Listed(string Kind, ObjectList List);

    private sealed record WatchBroken(ObjectFilter Filter, string Reason);

    private sealed record StartWatch(ObjectFilter Filter);

    private sealed record EnqueueKey(string Key);

    private sealed record SyncDone(string Key, Exception? Error);

    private sealed class PumpQueue
    {
        public static readonly PumpQueue Instance = new();
    }

    private sealed class Resync
    {
        public static readonly Resync Instance = new();
    }
}
