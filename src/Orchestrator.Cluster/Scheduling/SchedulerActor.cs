using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Scheduling;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Scheduling;

/// <summary>
/// The scheduler (one per cluster, a singleton): watches pods and nodes, keeps the allocation cache
/// (bound and assumed pods per node), and binds every pending pod to the node the pure
/// <see cref="PodScheduler"/> picks. A pod is assumed on its node before the bind is acknowledged,
/// so decisions never wait for writes. The pod entity refuses a second bind (409), so a scheduler
/// that took over after a failover never binds a pod twice.
/// A pod that fits nowhere gets PodScheduled=False (reason Unschedulable, the per-reason message)
/// and a FailedScheduling event, and is retried with backoff, and at once when a node or pod change
/// may make room.
/// </summary>
/// <remarks>
/// <code>
///   pending ──decide──► assumed ──bind ok──► bound (seen in the watch)
///      ▲  │                 └──bind failed──► forget, retry with backoff
///      │  └──no node fits──► Unschedulable ──node/pod change or backoff──┘
/// </code>
/// </remarks>
public sealed class SchedulerActor : ControllerActor
{
    public const string Component = "default-scheduler";

    private readonly PodScheduler _scheduler;
    private readonly SchedulerSettings _settings;
    private readonly SchedulingCache _cache = new();
    private readonly Dictionary<string, JsonObject> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastMessage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _assumed = new(StringComparer.Ordinal);
    // Unschedulable pods retry after 1 s, doubling up to max-backoff.
    private readonly KeyedBackoff _backoff;
    // "Scheduled" events are written beside the binds, not before the next bind may start.
    private readonly BackgroundWrites _events = new(256);

    public SchedulerActor(IControllerStore store, SchedulerSettings settings, TimeProvider time)
        : base(store, [ObjectFilter.All(NodeKind.Instance.Kind), ObjectFilter.All(PodKind.Instance.Kind)], time)
    {
        _settings = settings;
        _scheduler = settings.CreateScheduler();
        _backoff = new KeyedBackoff(TimeSpan.FromSeconds(1), settings.MaxBackoff, Time);
    }

    public static Props Props(IControllerStore store, SchedulerSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new SchedulerActor(store, settings, time));

    protected override int Concurrency => _settings.ParallelBinds;

    protected override TimeSpan? ResyncInterval => TimeSpan.FromSeconds(15);

    protected override IEnumerable<string> AllKeys() => _pending.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        if (kind == NodeKind.Instance.Kind) return OnNode(e);
        return OnPod(e);
    }

    private IEnumerable<string> OnNode(WatchEvent e)
    {
        var name = e.Object.Name();
        if (e.Type == WatchEventType.Deleted)
        {
            _cache.RemoveNode(name);
            return [];
        }
        var fresh = NodeState.FromNode(e.Object);
        var existing = _cache.Node(name);
        var relevant = existing is null || !existing.OffersSameAs(fresh);
        _cache.UpsertNode(fresh);
        return relevant ? RetryUnschedulable() : [];
    }

    private IEnumerable<string> OnPod(WatchEvent e)
    {
        var pod = e.Object;
        var key = KeyOf(pod);
        switch (SchedulingStages.Of(pod, e.Type == WatchEventType.Deleted, Component))
        {
            case SchedulingStage.Left:
                _pending.Remove(key);
                _unschedulable.Remove(key);
                _lastMessage.Remove(key);
                _assumed.Remove(key);
                _backoff.Reset(key);
                // A pod that leaves a node frees room for the ones that did not fit.
                return _cache.RemovePod(key) ? RetryUnschedulable() : [];
            case SchedulingStage.Bound:
                _pending.Remove(key);
                _unschedulable.Remove(key);
                _lastMessage.Remove(key);
                _assumed.Remove(key);
                var nodeName = PodHelpers.NodeName(pod)!;
                if (_cache.NodeOf(key) != nodeName) _cache.AddPod(nodeName, PodDemand.FromPod(pod));
                return [];
            case SchedulingStage.Ignored:
                _pending.Remove(key);
                return [];
        }
        var known = _pending.ContainsKey(key);
        _pending[key] = pod;
        // An unschedulable pod that merely changed its status waits for its backoff or a cluster change.
        return known && (_unschedulable.Contains(key) || _assumed.ContainsKey(key)) ? [] : [key];
    }

    private List<string> RetryUnschedulable()
    {
        var keys = _unschedulable.ToList();
        _unschedulable.Clear();
        return keys;
    }

    protected override Task Sync(string key)
    {
        if (!_pending.TryGetValue(key, out var pod) || _assumed.ContainsKey(key)) return Task.CompletedTask;
        var demand = PodDemand.FromPod(pod);
        var result = _scheduler.Schedule(demand, _cache.Nodes);
        var now = Time.GetUtcNow();
        if (result.NodeName is { } node)
        {
            _cache.AddPod(node, demand);
            _assumed[key] = node;
            _unschedulable.Remove(key);
            _backoff.Reset(key);
            return BindAsync(Store, _events, pod, node, now, Stopping);
        }
        _unschedulable.Add(key);
        RetryAfter(key, _backoff.Next(key));
        var message = result.Message;
        if (_lastMessage.TryGetValue(key, out var last) && last == message) return Task.CompletedTask;
        _lastMessage[key] = message;
        return ReportUnschedulableAsync(Store, pod, message, now, Stopping);
    }

    protected override void OnSyncFailed(string key, Exception error)
    {
        if (_assumed.Remove(key)) _cache.RemovePod(key);
    }

    private static async Task BindAsync(IControllerStore store, BackgroundWrites events, JsonObject pod, string node, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await store.Bind(pod.Namespace(), pod.Name(), node, ct);
        }
        catch (ApiErrorException e) when (e.Error.Code is 404 or 409)
        {
            // Deleted meanwhile, or bound already (by an earlier scheduler before a failover): the watch tells the truth.
            return;
        }
        events.Post(() => EventRecorder.Record(store, pod, "Normal", "Scheduled", $"Successfully assigned {pod.Namespace()}/{pod.Name()} to {node}", Component, now, ct));
    }

    private static async Task ReportUnschedulableAsync(IControllerStore store, JsonObject pod, string message, DateTimeOffset now, CancellationToken ct)
    {
        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "PodScheduled",
                    ["status"] = "False",
                    ["reason"] = "Unschedulable",
                    ["message"] = message,
                    ["lastProbeTime"] = null,
                    ["lastTransitionTime"] = ObjectMeta.FormatTime(now),
                }),
            },
        };
        // Best effort: the next attempt writes them again.
        await BestEffort(store.Patch(PodKind.Instance, pod.Namespace(), pod.Name(), PatchType.Strategic, patch, Subresource.Status, ct));
        await RecordEvent(store, pod, "Warning", "FailedScheduling", message, Component, now, ct);
    }
}
