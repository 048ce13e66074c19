using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Journal;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.RateLimiting;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Scheduling;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Watches node heartbeats: a node silent for longer than
/// <see cref="ControllerSettings.NodeMonitorGracePeriod"/> is marked Ready=Unknown and tainted
/// unreachable:NoExecute, and its pods are deleted (grace 0: the node is gone) once their toleration
/// (<see cref="ControllerSettings.PodEvictionTimeout"/> by default) has elapsed, so their
/// controllers replace them on other nodes. A node that reports again loses the taint.
/// </summary>
/// <remarks>
/// A node whose cluster member (annotation <c>orchestrator.io/member</c>) has been removed from the
/// cluster is unreachable at once, without waiting out the grace period: its agent lived and died
/// with that member. It counts as unreachable since the member became unreachable, so the eviction
/// timeout runs from there even when the writes could only be made later (the Node's entity, or
/// this controller itself, may have lived on the dead member and moved only once it was downed).
/// <para>
/// Silence counts only while every member's journal answered (<see cref="ClusterJournalHealth"/>:
/// this member's, and the outages the others reported of their own, since a member that lost its
/// connection takes no heartbeats of the nodes it serves or whose entities it hosts) and this
/// controller's view had caught up with its own: after an outage every node has a full grace period to
/// report again, counted once a consistent read found the view current. While this member's journal is unavailable, or
/// this member reaches no majority of the cluster, nothing is marked or evicted. When more than
/// <c>unhealthy-zone-threshold</c> of the nodes are unhealthy at once, evictions are held: the
/// affected nodes get the <c>EvictionHeld</c> condition and an <c>EvictionsHeld</c> event saying why.
/// Otherwise nodes are admitted to eviction at most <c>node-eviction-rate</c> a second
/// (<see cref="NodeDisruption"/>, <see cref="TokenBucket"/>).
/// </para>
/// </remarks>
public sealed class NodeLifecycleController : ControllerActor
{
    public const string Component = "node-controller";

    /// <summary>
    /// A write to an object whose entity lived on a member that just died is lost until that member
    /// is downed and the shard moves; a short timeout retries soon after instead of waiting out the
    /// store's ask timeout.
    /// </summary>
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(2);

    private readonly ControllerSettings _settings;
    private readonly Membership.MemberLiveness _members;
    private readonly ClusterJournalHealth _journal;
    private readonly Dictionary<string, JsonObject> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _podsByNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeOfPod = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Beat, DateTimeOffset SeenAt)> _heartbeats = new(StringComparer.Ordinal);
    private readonly HashSet<string> _admitted = new(StringComparer.Ordinal);
    private TokenBucket _limiter;
    private (DateTimeOffset At, int Unhealthy)? _census;
    private string? _cutOff;
    private ViewCurrent? _viewCurrent;
    private DateTimeOffset? _checkingViewAfter;

    private sealed record ViewCheckFailed(DateTimeOffset OutageEnded, Exception Error);

    public NodeLifecycleController(IControllerStore store, ControllerSettings settings, TimeProvider time, Membership.MemberLiveness members, ClusterJournalHealth journal)
        : base(store, [ObjectFilter.All(NodeKind.Instance.Kind), ObjectFilter.All(PodKind.Instance.Kind)], time)
    {
        _settings = settings;
        _members = members;
        _journal = journal;
        _limiter = TokenBucket.Start(settings.NodeEvictionRate, settings.NodeEvictionBurst, time.GetUtcNow());
        Receive<ViewCurrent>(v =>
        {
            _checkingViewAfter = null;
            _viewCurrent = v;
        });
        Receive<ViewCheckFailed>(f =>
        {
            _checkingViewAfter = null; // the next sync tries again
            Log.Warning("node lifecycle could not confirm its view is current after the journal outage: {0}", f.Error.Message);
        });
    }

    public static Props Props(IControllerStore store, ControllerSettings settings, TimeProvider time, Membership.MemberLiveness? members = null, ClusterJournalHealth? journal = null)
    {
        var liveness = members ?? Membership.MemberLiveness.None;
        var health = journal ?? ClusterJournalHealth.LocalOnly(JournalHealth.AlwaysAvailable);
        return Akka.Actor.Props.Create(() => new NodeLifecycleController(store, settings, time, liveness, health));
    }

    protected override TimeSpan? ResyncInterval => _settings.NodeMonitorPeriod;

    protected override IEnumerable<string> AllKeys() => _nodes.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        if (kind == NodeKind.Instance.Kind)
        {
            _census = null;
            if (e.Type == WatchEventType.Deleted)
            {
                _nodes.Remove(obj.Name());
                _heartbeats.Remove(obj.Name());
                _admitted.Remove(obj.Name());
            }
            else
            {
                _nodes[obj.Name()] = obj;
                // As Kubernetes does: a heartbeat counts when this controller sees it change, by its
                // own clock, so clocks of other machines do not matter (and a new controller gives
                // every node a full grace period).
                var beat = NodeState.ReadyCondition(obj).GetString("lastHeartbeatTime");
                if (!_heartbeats.TryGetValue(obj.Name(), out var seen) || seen.Beat != beat) _heartbeats[obj.Name()] = (beat, Time.GetUtcNow());
            }
            return [obj.Name()];
        }
        var key = $"{obj.Namespace()}/{obj.Name()}";
        if (_nodeOfPod.Remove(key, out var was) && _podsByNode.TryGetValue(was, out var old)) old.Remove(key);
        if (e.Type != WatchEventType.Deleted && PodHelpers.NodeName(obj) is { } node)
        {
            _nodeOfPod[key] = node;
            if (!_podsByNode.TryGetValue(node, out var pods)) _podsByNode[node] = pods = new(StringComparer.Ordinal);
            pods[key] = obj;
        }
        return [];
    }

    /// <summary>Since when the node is unreachable (its member removed, or silent while the store was healthy); null while it is not.</summary>
    private DateTimeOffset? UnreachableAt(string name, JsonObject node, DateTimeOffset now, IReadOnlyList<StoreOutage> outages)
    {
        var goneSince = node.Annotations().GetValueOrDefault(NodeLifecycle.MemberAnnotation) is { Length: > 0 } member ? _members.GoneSince(member) : null;
        var silentSince = _heartbeats.TryGetValue(name, out var seen) ? NodeDisruption.SilentSince(seen.SeenAt, outages, now, _settings.NodeMonitorGracePeriod) : null;
        return NodeLifecycle.Earliest(goneSince, silentSince);
    }

    /// <summary>How many nodes are unhealthy (unreachable or not Ready), counted once per monitor period or node change.</summary>
    private int Unhealthy(DateTimeOffset now, IReadOnlyList<StoreOutage> outages)
    {
        if (_census is { } c && now >= c.At && now - c.At < _settings.NodeMonitorPeriod) return c.Unhealthy;
        var unhealthy = _nodes.Count(n => !NodeState.IsReady(n.Value) || UnreachableAt(n.Key, n.Value, now, outages) is not null);
        _census = (now, unhealthy);
        return unhealthy;
    }

    protected override Task Sync(string key)
    {
        if (!_nodes.TryGetValue(key, out var node)) return Task.CompletedTask;
        var now = Time.GetUtcNow();
        var (reachable, members) = _members.Reachability();
        var cutOff = NodeDisruption.CutOff(new ControlPlaneView(_journal.Local.Available, reachable, members));
        if (cutOff is not null)
        {
            // Cut off from the journal or the cluster: the silence it sees may be its own.
            if (_cutOff != cutOff.Message) Log.Warning("node lifecycle changes nothing: {0}", cutOff.Message);
            _cutOff = cutOff.Message;
            return Task.CompletedTask;
        }
        _cutOff = null;
        var outages = ObservedOutages();
        var unreachableAt = UnreachableAt(key, node, now, outages);
        var since = NodeLifecycle.UnreachableSince(node, now);
        var writes = new List<Func<CancellationToken, Task>>();
        var events = new List<Func<CancellationToken, Task>>();
        var store = Store;
        EvictionHold? hold = null;
        if (unreachableAt is { } at)
        {
            if (NodeState.ReadyCondition(node).GetString("status") != "Unknown")
            {
                var patch = NodeLifecycle.ReadyUnknownPatch(node, at);
                writes.Add(ct => store.Patch(NodeKind.Instance, "", key, PatchType.Strategic, patch, Subresource.Status, ct));
                events.Add(ct => RecordEvent(store, node, "Normal", "NodeNotReady", $"Node {key} status is now: NodeNotReady", Component, now, ct));
            }
            if (since is null)
            {
                var taints = NodeLifecycle.TaintsWithUnreachable(node, true, at);
                writes.Add(ct => store.Patch(NodeKind.Instance, "", key, PatchType.Merge, new JsonObject { ["spec"] = new JsonObject { ["taints"] = taints } }, ct: ct));
            }
            else
            {
                var due = DuePods(key, since.Value, now);
                hold = due.Count == 0 ? null : NodeDisruption.Disruption(_nodes.Count, Unhealthy(now, outages), _settings.Disruption);
                if (due.Count > 0 && hold is null && Admitted(key, now))
                {
                    foreach (var pod in due)
                    {
                        writes.Add(ct => IgnoreGone(store.Delete(PodKind.Instance, pod.Namespace(), pod.Name(), new DeleteRequest(GracePeriodSeconds: 0), ct)));
                        events.Add(ct => RecordEvent(store, pod, "Normal", "TaintManagerEviction", $"Marking for deletion Pod {pod.Namespace()}/{pod.Name()}", Component, now, ct));
                    }
                }
            }
        }
        else if (since is not null && NodeState.IsReady(node))
        {
            var taints = NodeLifecycle.TaintsWithUnreachable(node, false, now);
            writes.Add(ct => store.Patch(NodeKind.Instance, "", key, PatchType.Merge, new JsonObject { ["spec"] = new JsonObject { ["taints"] = taints } }, ct: ct));
            _admitted.Remove(key);
        }
        RecordHold(node, hold, now, writes, events);
        if (writes.Count == 0) return Task.CompletedTask;
        // Status, taint and evictions first; events (best effort) must never hold them up.
        return RunAll(writes.Concat(events).ToList(), Stopping);
    }

    /// <summary>
    /// This member's journal outages, the last one still open until a consistent read made after it
    /// ended came back, and the grace periods counted from then (<see cref="NodeDisruption.AsObserved"/>):
    /// the list waits until this member's index, from which this controller's informers are fed,
    /// has reached the journal's head. Without it, an index that lagged behind the journal after an
    /// outage made every node look silent. Merged with the outages the other members reported
    /// (<see cref="ClusterOutages.Merge"/>): this member's index was current through those.
    /// </summary>
    private IReadOnlyList<StoreOutage> ObservedOutages()
    {
        var outages = _journal.Local.Outages;
        if (outages.Count > 0 && outages[^1].End is { } end && _viewCurrent?.OutageEnded != end && _checkingViewAfter != end)
        {
            _checkingViewAfter = end;
            var time = Time;
            Store.List(ObjectFilter.All(NodeKind.Instance.Kind), Stopping)
                .PipeTo(Self, success: _ => new ViewCurrent(end, time.GetUtcNow()), failure: e => new ViewCheckFailed(end, e));
        }
        return ClusterOutages.Merge(NodeDisruption.AsObserved(outages, _viewCurrent), _journal.Others);
    }

    /// <summary>The node's pods whose toleration of the unreachable taint (tainted since <paramref name="since"/>) is over; retries when the next one is due.</summary>
    private List<JsonObject> DuePods(string key, DateTimeOffset since, DateTimeOffset now)
    {
        var due = new List<JsonObject>();
        if (!_podsByNode.TryGetValue(key, out var pods)) return due;
        foreach (var pod in pods.Values)
        {
            if (pod.IsDeleting() && pod.Metadata()["deletionGracePeriodSeconds"].GetLong() == 0) continue;
            var evictAt = NodeLifecycle.EvictionTime(pod, since, _settings.PodEvictionTimeout);
            if (evictAt is null) continue;
            if (evictAt > now) RetryAfter(key, evictAt.Value - now + TimeSpan.FromMilliseconds(50));
            else due.Add(pod);
        }
        return due;
    }

    /// <summary>Whether the node's pods may be evicted now: admitted before, or a token of the rate limiter is free.</summary>
    private bool Admitted(string key, DateTimeOffset now)
    {
        if (_admitted.Contains(key)) return true;
        var (taken, next) = _limiter.TryTake(now);
        _limiter = next;
        if (taken)
        {
            _admitted.Add(key);
            return true;
        }
        if (next.NextTokenAt(now) is { } at) RetryAfter(key, at - now + TimeSpan.FromMilliseconds(50));
        Log.Debug("eviction of the pods of node {0} waits for the eviction rate limit ({1} nodes/s)", key, _settings.NodeEvictionRate);
        return false;
    }

    /// <summary>Sets the node's EvictionHeld condition (and records an event) when the hold starts or changes; clears it when it ends.</summary>
    private void RecordHold(JsonObject node, EvictionHold? hold, DateTimeOffset now, List<Func<CancellationToken, Task>> writes, List<Func<CancellationToken, Task>> events)
    {
        var current = PodHelpers.Condition(node, NodeDisruption.EvictionHeldCondition);
        var held = current.GetString("status") == "True";
        if (hold is null && !held) return;
        if (hold is not null && held && current.GetString("reason") == hold.Reason) return;
        var key = node.Name();
        var store = Store;
        var patch = NodeDisruption.EvictionHeldPatch(hold, now);
        if (hold is not null) Log.Warning("pods of node {0} are not evicted: {1}", key, hold.Message);
        writes.Add(ct => BestEffort(store.Patch(NodeKind.Instance, "", key, PatchType.Strategic, patch, Subresource.Status, ct)));
        if (hold is not null)
            events.Add(ct => RecordEvent(store, node, "Warning", NodeDisruption.EvictionsHeldReason, hold.Message, Component, now, ct));
    }

    private static async Task RunAll(List<Func<CancellationToken, Task>> writes, CancellationToken stopping)
    {
        foreach (var write in writes)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(WriteTimeout);
            try
            {
                await write(timeout.Token);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                throw new ApiErrorException(ApiError.Timeout($"a write did not answer within {WriteTimeout.TotalSeconds:0}s; retrying"));
            }
        }
    }
}
