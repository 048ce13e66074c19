using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
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
    private readonly Dictionary<string, JsonObject> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _podsByNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeOfPod = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Beat, DateTimeOffset SeenAt)> _heartbeats = new(StringComparer.Ordinal);

    public NodeLifecycleController(IControllerStore store, ControllerSettings settings, TimeProvider time, Membership.MemberLiveness members)
        : base(store, [ObjectFilter.All(NodeKind.Instance.Kind), ObjectFilter.All(PodKind.Instance.Kind)], time)
    {
        _settings = settings;
        _members = members;
    }

    public static Props Props(IControllerStore store, ControllerSettings settings, TimeProvider time, Membership.MemberLiveness? members = null)
    {
        var liveness = members ?? Membership.MemberLiveness.None;
        return Akka.Actor.Props.Create(() => new NodeLifecycleController(store, settings, time, liveness));
    }

    protected override TimeSpan? ResyncInterval => _settings.NodeMonitorPeriod;

    protected override IEnumerable<string> AllKeys() => _nodes.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        if (kind == NodeKind.Instance.Kind)
        {
            if (e.Type == WatchEventType.Deleted)
            {
                _nodes.Remove(obj.Name());
                _heartbeats.Remove(obj.Name());
            }
            else
            {
                _nodes[obj.Name()] = obj;
                // As Kubernetes does: a heartbeat counts when this controller sees it change, by its
                // own clock, so clocks of other machines do not matter (and a new controller gives
                // every node a full grace period).
                var beat = Domain.Scheduling.NodeState.ReadyCondition(obj).GetString("lastHeartbeatTime");
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

    protected override Task Sync(string key)
    {
        if (!_nodes.TryGetValue(key, out var node)) return Task.CompletedTask;
        var now = Time.GetUtcNow();
        var goneSince = node.Annotations().GetValueOrDefault(NodeLifecycle.MemberAnnotation) is { Length: > 0 } member ? _members.GoneSince(member) : null;
        var silentSince = _heartbeats.TryGetValue(key, out var seen) && now - seen.SeenAt > _settings.NodeMonitorGracePeriod ? seen.SeenAt + _settings.NodeMonitorGracePeriod : (DateTimeOffset?)null;
        var unreachableAt = NodeLifecycle.Earliest(goneSince, silentSince);
        var since = NodeLifecycle.UnreachableSince(node, now);
        var writes = new List<Func<CancellationToken, Task>>();
        var events = new List<Func<CancellationToken, Task>>();
        var store = Store;
        if (unreachableAt is { } at)
        {
            if (Domain.Scheduling.NodeState.ReadyCondition(node).GetString("status") != "Unknown")
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
                foreach (var pod in _podsByNode.TryGetValue(key, out var pods) ? pods.Values.ToList() : [])
                {
                    if (pod.IsDeleting() && pod.Metadata()["deletionGracePeriodSeconds"].GetLong() == 0) continue;
                    var evictAt = NodeLifecycle.EvictionTime(pod, since.Value, _settings.PodEvictionTimeout);
                    if (evictAt is null) continue;
                    if (evictAt > now)
                    {
                        RetryAfter(key, evictAt.Value - now + TimeSpan.FromMilliseconds(50));
                        continue;
                    }
                    writes.Add(ct => IgnoreGone(store.Delete(PodKind.Instance, pod.Namespace(), pod.Name(), new DeleteRequest(GracePeriodSeconds: 0), ct)));
                    events.Add(ct => RecordEvent(store, pod, "Normal", "TaintManagerEviction", $"Marking for deletion Pod {pod.Namespace()}/{pod.Name()}", Component, now, ct));
                }
            }
        }
        else if (since is not null && Domain.Scheduling.NodeState.IsReady(node))
        {
            var taints = NodeLifecycle.TaintsWithUnreachable(node, false, now);
            writes.Add(ct => store.Patch(NodeKind.Instance, "", key, PatchType.Merge, new JsonObject { ["spec"] = new JsonObject { ["taints"] = taints } }, ct: ct));
        }
        if (writes.Count == 0) return Task.CompletedTask;
        // Status, taint and evictions first; events (best effort) must never hold them up.
        return RunAll(writes.Concat(events).ToList(), Stopping);
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
