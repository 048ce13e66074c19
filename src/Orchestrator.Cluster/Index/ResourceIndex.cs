using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Index;

/// <summary>
/// This member's projection of every object, fed by Akka.Persistence.Query over the journal
/// (events by tag, in journal order). Every member runs its own and rebuilds it from the journal
/// on start, so it is correct with any number of members writing to one shared journal. It
/// answers lists (by kind, namespace, label and field selector) without touching any entity, and
/// fans changes out to watches.
///
/// <code>
///   journal ──EventsByTag──► ingest ──► objects[kind][ns/name]  ──► lists (after catching up to the head)
///                                 └──► recent-events window    ──► watches resuming from a recent version
///                                 └──► live watchers            ──► ADDED / MODIFIED / DELETED
/// </code>
/// </summary>
public sealed class ResourceIndex : ReceiveActor, IWithTimers
{
    public sealed record Settings(string Tag, int WatchWindow, TimeSpan ConsistentReadTimeout);

    private sealed record Entry(JsonObject Object, long ResourceVersion);

    private sealed record Change(long Ordering, string Kind, WatchEventType Type, JsonObject Object, JsonObject? Previous);

    private sealed record Batch(IReadOnlyList<EventEnvelope> Envelopes);

    private sealed record StreamFailed(Exception Cause);

    private sealed record RestartStream;

    private sealed record PendingList(ListObjects Request, IActorRef ReplyTo, DateTimeOffset Deadline);

    private sealed record CatchUpDone(IActorRef Subscriber, long LastDelivered);

    private sealed record CatchUpFailed(IActorRef Subscriber, Exception Cause);

    private sealed record ExpirePendingLists;

    private sealed class Watcher(ObjectFilter filter, long after)
    {
        public ObjectFilter Filter { get; } = filter;

        /// <summary>The version the watcher already has: only later changes go to it.</summary>
        public long After { get; } = after;

        /// <summary>Live changes held back while the watcher catches up from the journal.</summary>
        public List<Change>? Buffer { get; set; }
    }

    private static readonly object StreamInit = new();
    private static readonly object StreamAck = new();
    private static readonly object StreamDone = new();

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Settings _settings;
    private readonly Dictionary<string, Dictionary<string, Entry>> _objects = new(StringComparer.Ordinal);
    private readonly LinkedList<Change> _window = new();
    private readonly Dictionary<IActorRef, Watcher> _watchers = [];
    private readonly List<PendingList> _pendingLists = [];
    private readonly IMaterializer _materializer;
    private SqlReadJournal? _journal;
    private long _position;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Settings settings) => Akka.Actor.Props.Create(() => new ResourceIndex(settings));

    public ResourceIndex(Settings settings)
    {
        _settings = settings;
        _materializer = Context.Materializer();

        Receive<Batch>(b => Ingest(b.Envelopes));
        Receive<StreamFailed>(f =>
        {
            _log.Warning(f.Cause, "index stream failed at position {0}; restarting in 1s", _position);
            Timers.StartSingleTimer("restart", new RestartStream(), TimeSpan.FromSeconds(1));
        });
        Receive<RestartStream>(_ => StartStream());
        Receive<ListObjects>(HandleList);
        Receive<ExpirePendingLists>(_ => ExpireLists());
        Receive<Watch>(HandleWatch);
        Receive<Unwatch>(u => RemoveWatcher(u.Subscriber));
        Receive<Terminated>(t => RemoveWatcher(t.ActorRef));
        Receive<CatchUpDone>(HandleCatchUpDone);
        Receive<CatchUpFailed>(f =>
        {
            f.Subscriber.Tell(new WatchEnded(ApiError.ServiceUnavailable($"reading the journal for the watch failed (the journal may be unavailable; resume from the last resourceVersion): {f.Cause.Message}") with { RetryAfterSeconds = 2 }));
            RemoveWatcher(f.Subscriber);
        });
        ReceiveAny(m =>
        {
            if (ReferenceEquals(m, StreamInit)) Sender.Tell(StreamAck);
            else if (ReferenceEquals(m, StreamDone)) Self.Tell(new StreamFailed(new InvalidOperationException("the live query completed")));
            else Unhandled(m);
        });
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("expire", new ExpirePendingLists(), TimeSpan.FromMilliseconds(500));
        StartStream();
    }

    private void StartStream()
    {
        if (_journal is null)
        {
            // Acquiring the read journal asks the persistence plugin, which can time out while a
            // loaded member starts: retry instead of failing the actor's creation for good.
            try
            {
                _journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            }
            catch (Exception e) when (e is AggregateException or AskTimeoutException or TimeoutException)
            {
                _log.Warning("the read journal is not available yet ({0}); retrying in 1s", e.GetBaseException().Message);
                Timers.StartSingleTimer("restart", new RestartStream(), TimeSpan.FromSeconds(1));
                return;
            }
        }
        var self = Self;
        _journal!.EventsByTag(_settings.Tag, Offset.Sequence(_position))
            .Batch(1000, e => new List<EventEnvelope> { e }, (list, e) => { list.Add(e); return list; })
            .Select(list => (object)new Batch(list))
            .RunWith(Sink.ActorRefWithAck<object>(self, StreamInit, StreamAck, StreamDone, e => new StreamFailed(e)), _materializer);
    }

    private void Ingest(IReadOnlyList<EventEnvelope> envelopes)
    {
        foreach (var envelope in envelopes)
        {
            if (envelope.Offset is not Sequence { Value: var ordering } || ordering <= _position) continue;
            _position = ordering;
            if (envelope.Event is not IResourceEvent e || ResourceKey.FromPersistenceId(envelope.PersistenceId) is not { } key) continue;

            var obj = e.Object;
            obj.Metadata()["resourceVersion"] = ordering.ToString(CultureInfo.InvariantCulture);
            if (!_objects.TryGetValue(key.Kind, out var byName))
            {
                byName = new Dictionary<string, Entry>(StringComparer.Ordinal);
                _objects[key.Kind] = byName;
            }
            byName.TryGetValue(key.EntityId, out var previous);
            WatchEventType type;
            if (e is ResourceDeleted)
            {
                byName.Remove(key.EntityId);
                type = WatchEventType.Deleted;
            }
            else
            {
                byName[key.EntityId] = new Entry(obj, ordering);
                type = previous is null ? WatchEventType.Added : WatchEventType.Modified;
            }
            var change = new Change(ordering, key.Kind, type, obj, previous?.Object);
            _window.AddLast(change);
            if (_window.Count > _settings.WatchWindow) _window.RemoveFirst();
            foreach (var (subscriber, watcher) in _watchers)
            {
                if (watcher.Buffer is not null) watcher.Buffer.Add(change);
                else if (change.Ordering > watcher.After) Deliver(subscriber, watcher.Filter, change);
            }
        }
        Sender.Tell(StreamAck);
        if (_pendingLists.Count > 0)
        {
            foreach (var pending in _pendingLists.Where(p => p.Request.MinResourceVersion <= _position).ToList())
            {
                _pendingLists.Remove(pending);
                pending.ReplyTo.Tell(List(pending.Request.Filter));
            }
        }
    }

    /// <summary>Sends a change as the watcher sees it: an object leaving its selection is DELETED for it, one entering is ADDED.</summary>
    private static void Deliver(IActorRef subscriber, ObjectFilter filter, Change change)
    {
        var matchesNow = filter.Matches(change.Kind, change.Object);
        var matchedBefore = change.Previous is not null && filter.Matches(change.Kind, change.Previous);
        WatchEventType? type = change.Type switch
        {
            WatchEventType.Deleted => matchesNow || matchedBefore ? WatchEventType.Deleted : null,
            WatchEventType.Added => matchesNow ? WatchEventType.Added : null,
            _ when matchesNow => matchedBefore || change.Previous is null ? WatchEventType.Modified : WatchEventType.Added,
            _ => matchedBefore ? WatchEventType.Deleted : null,
        };
        if (type is { } seen) subscriber.Tell(new WatchEvent(seen, change.Object, change.Ordering));
    }

    private void HandleList(ListObjects request)
    {
        if (request.MinResourceVersion <= _position)
        {
            Sender.Tell(List(request.Filter));
            return;
        }
        _pendingLists.Add(new PendingList(request, Sender, DateTimeOffset.UtcNow + _settings.ConsistentReadTimeout));
    }

    private void ExpireLists()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var pending in _pendingLists.Where(p => p.Deadline <= now).ToList())
        {
            _pendingLists.Remove(pending);
            pending.ReplyTo.Tell(new Status.Failure(new ApiErrorException(ApiError.Timeout(
                $"Timeout: Too large resource version: {pending.Request.MinResourceVersion}, current resource version: {_position}"))));
        }
    }

    private ObjectList List(ObjectFilter filter)
    {
        if (!_objects.TryGetValue(filter.Kind, out var byName)) return new ObjectList([], _position);
        var items = byName.Values
            .Where(e => filter.Matches(filter.Kind, e.Object))
            .OrderBy(e => e.Object.Namespace(), StringComparer.Ordinal)
            .ThenBy(e => e.Object.Name(), StringComparer.Ordinal)
            .Select(e => e.Object)
            .ToList();
        return new ObjectList(items, _position);
    }

    private void HandleWatch(Watch watch)
    {
        if (watch.FromResourceVersion is null or 0)
        {
            _watchers[watch.Subscriber] = new Watcher(watch.Filter, _position);
            Context.Watch(watch.Subscriber);
            foreach (var obj in List(watch.Filter).Items)
                watch.Subscriber.Tell(new WatchEvent(WatchEventType.Added, obj, obj.ResourceVersion() is { } rv ? long.Parse(rv, CultureInfo.InvariantCulture) : _position));
            return;
        }

        var from = watch.FromResourceVersion.Value;
        var watcher = new Watcher(watch.Filter, from);
        _watchers[watch.Subscriber] = watcher;
        Context.Watch(watch.Subscriber);
        var oldestInWindow = _window.First?.Value.Ordering ?? _position + 1;
        if (from >= oldestInWindow - 1 || from >= _position)
        {
            foreach (var change in _window.Where(c => c.Ordering > from)) Deliver(watch.Subscriber, watch.Filter, change);
            return;
        }

        // Older than the window: replay the journal up to what this index has seen, holding back live changes meanwhile.
        if (_journal is null)
        {
            watch.Subscriber.Tell(new WatchEnded(ApiError.ServiceUnavailable("the index is still starting; retry the watch")));
            RemoveWatcher(watch.Subscriber);
            return;
        }
        watcher.Buffer = [];
        var boundary = _position;
        var subscriber = watch.Subscriber;
        var self = Self;
        var filter = watch.Filter;
        _journal!.CurrentEventsByTag(_settings.Tag, Offset.Sequence(from))
            .TakeWhile(e => e.Offset is Sequence s && s.Value <= boundary)
            .RunForeach(envelope =>
            {
                // The journal's offset is inclusive for some providers: skip what the client already has.
                if (envelope.Event is not IResourceEvent e || envelope.Offset is not Sequence s || s.Value <= from
                    || ResourceKey.FromPersistenceId(envelope.PersistenceId) is not { } key) return;
                var obj = e.Object;
                obj.Metadata()["resourceVersion"] = s.Value.ToString(CultureInfo.InvariantCulture);
                if (!filter.Matches(key.Kind, obj)) return;
                var type = e switch { ResourceCreated => WatchEventType.Added, ResourceDeleted => WatchEventType.Deleted, _ => WatchEventType.Modified };
                subscriber.Tell(new WatchEvent(type, obj, s.Value));
            }, _materializer)
            .ContinueWith(t => t.IsCompletedSuccessfully
                ? (object)new CatchUpDone(subscriber, boundary)
                : new CatchUpFailed(subscriber, t.Exception?.GetBaseException() ?? new OperationCanceledException()), TaskScheduler.Default)
            .PipeTo(self);
    }

    private void HandleCatchUpDone(CatchUpDone done)
    {
        if (!_watchers.TryGetValue(done.Subscriber, out var watcher) || watcher.Buffer is null) return;
        foreach (var change in watcher.Buffer.Where(c => c.Ordering > done.LastDelivered)) Deliver(done.Subscriber, watcher.Filter, change);
        watcher.Buffer = null;
    }

    private void RemoveWatcher(IActorRef subscriber)
    {
        if (_watchers.Remove(subscriber)) Context.Unwatch(subscriber);
    }
}
