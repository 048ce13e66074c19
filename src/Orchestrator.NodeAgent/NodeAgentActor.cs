using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;
using Orchestrator.NodeAgent.Sync;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent;

/// <summary>
/// The node agent of one cluster member: registers the member's Node, renews its heartbeat, and
/// makes the container engine on this member run the pods bound to the node.
/// </summary>
/// <remarks>
/// <para>
/// Why a plain actor per member and not a sharded entity: the agent's job is to drive the Docker
/// engine of the machine it runs on (sockets, host ports, pod IPs on the local bridge). Sharding
/// places and moves entities wherever the coordinator likes (and moves them again on rebalance or
/// when a member leaves); a node agent moved to another member would drive the wrong engine and
/// report the wrong node. Its identity is the member, so it lives and dies with the member; its
/// persistent state is the Node and Pod objects in the store (sharded, single writer) and the
/// labels on the engine's containers, from which it rebuilds everything on start.
/// </para>
/// <para>
/// Level-triggered: watch events, timers and garbage collection only enqueue a pod key; one
/// <see cref="PodSyncer.SyncAsync"/> per key runs at a time (a key that changes meanwhile is synced
/// once more afterwards), at most <see cref="NodeAgentSettings.SyncConcurrency"/> at once. Engine
/// and store calls run outside the mailbox and come back as messages.
/// </para>
/// <code>
///   Registering --Registered--> Running
///        ^  |                      |
///        |  +--failed: retry 2s    +--heartbeat 404 (Node deleted)--> Registering
/// </code>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source is disposed in PostStop, the actor's end of life.")]
public sealed class NodeAgentActor : ReceiveActor, IWithTimers
{
    private sealed record Register;
    private sealed record Registered(JsonObject Node);
    private sealed record RegistrationFailed(Exception Error);
    private sealed record Heartbeat;
    private sealed record HeartbeatDone(Exception? Error);
    private sealed record Resync;
    private sealed record CollectGarbage;
    private sealed record GarbageListed(IReadOnlyList<string> Keys);
    private sealed record StartWatch;
    private sealed record WatchFailed(Exception Error);
    private sealed record PodChanged(string Key);
    private sealed record SyncDone(string Key, SyncOutcome Outcome);
    private sealed record SyncFailed(string Key, Exception Error);

    private readonly NodeAgentSettings _settings;
    private readonly INodeAgentStore _store;
    private readonly IContainerRuntime _runtime;
    private readonly PodSyncer _syncer;
    private readonly SandboxPool? _pool;
    private readonly TimeProvider _time;
    private readonly string _hostIp;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _inFlight = new(StringComparer.Ordinal); // key -> dirty
    private readonly Queue<string> _pending = new();
    private readonly HashSet<string> _pendingSet = new(StringComparer.Ordinal);
    private readonly string? _member = ((ExtendedActorSystem)Context.System).Provider is Akka.Cluster.ClusterActorRefProvider
        ? Cluster.Membership.MemberLiveness.Format(Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress)
        : null;
    private JsonObject? _node;
    private bool _heartbeatInFlight;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeAgentSettings settings, INodeAgentStore store, IContainerRuntime runtime, PodSyncer syncer, TimeProvider time, string hostIp, SandboxPool? pool = null) =>
        Akka.Actor.Props.Create(() => new NodeAgentActor(settings, store, runtime, syncer, time, hostIp, pool));

    public NodeAgentActor(NodeAgentSettings settings, INodeAgentStore store, IContainerRuntime runtime, PodSyncer syncer, TimeProvider time, string hostIp, SandboxPool? pool = null)
    {
        _pool = pool is { Size: > 0 } ? pool : null;
        _settings = settings;
        _store = store;
        _runtime = runtime;
        _syncer = syncer;
        _time = time;
        _hostIp = hostIp;
        Registering();
    }

    protected override void PreStart()
    {
        Self.Tell(new Register());
        if (_pool is { } pool)
        {
            // The pool's refill loop runs beside the mailbox until the agent stops; it needs only the engine.
            var ct = _stopping.Token;
            _ = Task.Run(() => pool.RunAsync(ct), ct);
        }
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Registering()
    {
        Receive<Register>(_ => RegisterAsync().PipeTo(Self, success: node => new Registered(node), failure: e => new RegistrationFailed(e)));
        Receive<Registered>(r =>
        {
            // Heartbeats write the status we registered (no resourceVersion: the agent is the only writer of its status).
            _node = (JsonObject)r.Node.DeepClone();
            _node.Metadata().Remove("resourceVersion");
            _log.Info("node {0} registered ({1})", _settings.NodeName, r.Node["status"]?["nodeInfo"]?["containerRuntimeVersion"]);
            Become(Running);
            Timers.StartPeriodicTimer("heartbeat", new Heartbeat(), _settings.HeartbeatInterval);
            Timers.StartPeriodicTimer("resync", new Resync(), _settings.ResyncInterval);
            Timers.StartPeriodicTimer("gc", new CollectGarbage(), _settings.GcInterval);
            Self.Tell(new CollectGarbage());
            Self.Tell(new StartWatch());
        });
        Receive<RegistrationFailed>(f =>
        {
            _log.Warning("node {0} could not register yet: {1}", _settings.NodeName, f.Error.Message);
            Timers.StartSingleTimer("register", new Register(), TimeSpan.FromSeconds(2));
        });
    }

    private void Running()
    {
        Receive<Heartbeat>(_ =>
        {
            if (_heartbeatInFlight || _node is null) return;
            _heartbeatInFlight = true;
            var node = NodeRegistration.WithHeartbeat(_node, _time.GetUtcNow());
            _store.Replace(NodeKind.Instance, "", _settings.NodeName, node, Subresource.Status, ct: _stopping.Token)
                .PipeTo(Self, success: _ => new HeartbeatDone(null), failure: e => new HeartbeatDone(e));
        });
        Receive<HeartbeatDone>(done =>
        {
            _heartbeatInFlight = false;
            if (done.Error is ApiErrorException { Error.Code: 404 })
            {
                _log.Warning("node {0} was deleted; registering again", _settings.NodeName);
                Become(Registering);
                Self.Tell(new Register());
            }
            else if (done.Error is not null)
            {
                _log.Warning("heartbeat of node {0} failed: {1}", _settings.NodeName, done.Error.Message);
            }
        });
        Receive<StartWatch>(_ => StartWatching());
        Receive<WatchFailed>(f =>
        {
            _log.Warning("pod watch of node {0} ended: {1}; watching again", _settings.NodeName, f.Error.Message);
            Timers.StartSingleTimer("watch", new StartWatch(), TimeSpan.FromSeconds(1));
        });
        Receive<PodChanged>(c =>
        {
            _known.Add(c.Key);
            Enqueue(c.Key);
        });
        Receive<Resync>(_ =>
        {
            foreach (var key in _known) Enqueue(key);
        });
        Receive<CollectGarbage>(_ =>
        {
            _pool?.RequestRefill();
            _runtime.ListContainersAsync(new Dictionary<string, string>(), _stopping.Token)
                .PipeTo(Self, success: list => new GarbageListed(list.Where(c => c.Pod is not null).Select(c => c.Pod!.Namespace + "/" + c.Pod.Name).Distinct().ToList()),
                    failure: e => new GarbageListed([]));
        });
        Receive<GarbageListed>(g =>
        {
            // Every pod that has containers here is synced: one that no longer exists (or is bound
            // elsewhere) has its containers removed by the sync itself.
            foreach (var key in g.Keys)
            {
                _known.Add(key);
                Enqueue(key);
            }
        });
        Receive<SyncDone>(done =>
        {
            var dirty = _inFlight.Remove(done.Key, out var d) && d;
            if (done.Outcome.Forget && !dirty) _known.Remove(done.Key);
            if (done.Outcome.WakeAt is { } wake)
            {
                var delay = wake - _time.GetUtcNow();
                Timers.StartSingleTimer("wake:" + done.Key, new PodChanged(done.Key), delay > TimeSpan.FromMilliseconds(50) ? delay : TimeSpan.FromMilliseconds(50));
            }
            if (dirty) Enqueue(done.Key);
            Pump();
        });
        Receive<SyncFailed>(failed =>
        {
            var dirty = _inFlight.Remove(failed.Key, out var d) && d;
            if (failed.Error is not OperationCanceledException)
                _log.Warning("sync of pod {0} failed: {1}", failed.Key, failed.Error is ApiErrorException api ? api.Error.Message : failed.Error.ToString());
            if (dirty) Enqueue(failed.Key);
            else Timers.StartSingleTimer("wake:" + failed.Key, new PodChanged(failed.Key), TimeSpan.FromSeconds(1));
            Pump();
        });
        Receive<Registered>(_ => { });
        Receive<RegistrationFailed>(_ => { });
    }

    private async Task<JsonObject> RegisterAsync()
    {
        var info = await _runtime.GetInfoAsync(_stopping.Token);
        var node = NodeRegistration.Node(_settings.NodeName, info, _hostIp, _settings.ApiEndpoint, _time.GetUtcNow(), _member, _settings.ServiceRelay);
        try
        {
            var existing = await _store.Get(NodeKind.Instance, "", _settings.NodeName, _stopping.Token);
            // Keep what others set (labels, taints, cordon); refresh ours.
            var updated = (JsonObject)existing.DeepClone();
            updated.Metadata().Remove("resourceVersion");
            var labels = updated.Metadata()["labels"] as JsonObject ?? new JsonObject();
            foreach (var (k, v) in node.Labels()) labels[k] = v;
            updated.Metadata()["labels"] = labels;
            var annotations = updated.Metadata()["annotations"] as JsonObject ?? new JsonObject();
            foreach (var (k, v) in node.Annotations()) annotations[k] = v;
            updated.Metadata()["annotations"] = annotations;
            updated = await _store.Replace(NodeKind.Instance, "", _settings.NodeName, updated, ct: _stopping.Token);
            updated.Metadata().Remove("resourceVersion");
            updated["status"] = node["status"]!.DeepClone();
            return await _store.Replace(NodeKind.Instance, "", _settings.NodeName, updated, Subresource.Status, ct: _stopping.Token);
        }
        catch (ApiErrorException e) when (e.Error.Code == 404)
        {
            return await _store.Create(NodeKind.Instance, "", node, _stopping.Token);
        }
    }

    private void StartWatching()
    {
        var self = Self;
        var filter = new ObjectFilter("Pod", null, LabelSelector.Everything, FieldSelector.Parse("spec.nodeName=" + _settings.NodeName));
        var store = _store;
        var ct = _stopping.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in store.Watch(filter, null, ct))
                    self.Tell(new PodChanged(e.Object.Namespace() + "/" + e.Object.Name()));
                self.Tell(new WatchFailed(new InvalidOperationException("the watch ended")));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                self.Tell(new WatchFailed(e));
            }
        }, ct);
    }

    private void Enqueue(string key)
    {
        if (_inFlight.ContainsKey(key))
        {
            _inFlight[key] = true;
            return;
        }
        if (_pendingSet.Add(key)) _pending.Enqueue(key);
        Pump();
    }

    private void Pump()
    {
        while (_inFlight.Count < _settings.SyncConcurrency && _pending.Count > 0)
        {
            var key = _pending.Dequeue();
            _pendingSet.Remove(key);
            _inFlight[key] = false;
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            _syncer.SyncAsync(key[..slash], key[(slash + 1)..], _stopping.Token)
                .PipeTo(Self, success: outcome => new SyncDone(key, outcome), failure: e => new SyncFailed(key, e));
        }
    }
}
