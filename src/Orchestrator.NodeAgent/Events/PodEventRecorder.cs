using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Resources;

namespace Orchestrator.NodeAgent.Events;

/// <summary>
/// The node agent's Events about pods (Pulling, Pulled, Created, Started, Killing, BackOff,
/// Unhealthy, Failed), as kubelet records them: source component <c>kubelet</c>, host the node,
/// involvedObject the pod with <c>fieldPath</c> <c>spec.containers{name}</c>. Repeats update the
/// first Event (<see cref="EventAggregator"/>). Recording never waits and never throws: writes run
/// in the background, at most <c>limit</c> at once; beyond that they are dropped, counted and logged.
/// </summary>
public sealed class PodEventRecorder
{
    public const string Component = "kubelet";
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);

    private readonly INodeAgentStore _store;
    private readonly string _nodeName;
    private readonly ILogger _log;
    private readonly EventAggregator _aggregator;
    private readonly BackgroundWrites _writes;

    public PodEventRecorder(INodeAgentStore store, string nodeName, TimeProvider time, ILogger log, int limit = 256, int remembered = 4096)
    {
        _store = store;
        _nodeName = nodeName;
        _log = log;
        _aggregator = new EventAggregator(remembered, time);
        _writes = new BackgroundWrites(limit);
    }

    /// <summary>Events dropped because <c>limit</c> writes were in flight.</summary>
    public long Dropped => _writes.Dropped;

    /// <summary>Event writes the store refused or that failed.</summary>
    public long Failed => _writes.Failed;

    public void Normal(JsonObject pod, string? container, string reason, string message) => Record(pod, container, "Normal", reason, message);

    public void Warning(JsonObject pod, string? container, string reason, string message) => Record(pod, container, "Warning", reason, message);

    private void Record(JsonObject pod, string? container, string type, string reason, string message)
    {
        var involved = new JsonObject
        {
            ["apiVersion"] = pod.GetString("apiVersion") ?? "v1",
            ["kind"] = pod.GetString("kind") ?? "Pod",
            ["metadata"] = new JsonObject { ["name"] = pod.Name(), ["namespace"] = pod.Namespace(), ["uid"] = pod.Uid() },
        };
        var key = EventObject.KeyOf(involved, container is null ? null : FieldPath(pod, container), type, reason, message, Component, _nodeName);
        var write = _aggregator.Observe(key);
        var e = EventObject.Build(involved, key, write);
        if (!_writes.Post(() => Write(key, write, e)))
        {
            var dropped = _writes.Dropped;
            if (dropped == 1 || dropped % 100 == 0)
                _log.LogWarning("dropped event {Reason} of pod {Namespace}/{Pod}: too many event writes in flight ({Dropped} dropped so far)", reason, key.Namespace, pod.Name(), dropped);
        }
    }

    /// <summary><c>spec.initContainers{name}</c> for an init container, else <c>spec.containers{name}</c> (names are unique across both).</summary>
    private static string FieldPath(JsonObject pod, string container)
    {
        var init = (pod["spec"]?["initContainers"] as JsonArray)?.OfType<JsonObject>().Any(c => c.GetString("name") == container) == true;
        return init ? $"spec.initContainers{{{container}}}" : $"spec.containers{{{container}}}";
    }

    private async Task Write(EventKey key, EventWrite write, JsonObject e)
    {
        using var timeout = new CancellationTokenSource(WriteTimeout);
        try
        {
            if (write.IsNew)
            {
                try
                {
                    await _store.Create(EventKind.Instance, key.Namespace, e, timeout.Token);
                    return;
                }
                catch (ApiErrorException conflict) when (conflict.Error.Code == 409)
                {
                    // A later occurrence created it first: update it instead.
                }
            }
            await Update(key, write, e, timeout.Token);
        }
        catch (ApiErrorException refused)
        {
            _aggregator.Forget(key);
            _log.LogInformation("event {Reason} of {Namespace}/{Name} not written: {Error}", key.Reason, key.Namespace, key.InvolvedName, ControllerWrites.Describe(refused));
            throw;
        }
    }

    /// <summary>Raises the existing Event's count and lastTimestamp (never lowers them: writes may land out of order); creates it when it is gone (expired).</summary>
    private async Task Update(EventKey key, EventWrite write, JsonObject e, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await UpdateOnce(key, write, e, ct);
                return;
            }
            catch (ApiErrorException conflict) when (conflict.Error.Code == 409 && attempt < 3)
            {
                // Another occurrence's write landed in between: read again.
            }
        }
    }

    private async Task UpdateOnce(EventKey key, EventWrite write, JsonObject e, CancellationToken ct)
    {
        JsonObject current;
        try
        {
            current = await _store.Get(EventKind.Instance, key.Namespace, write.Name, ct);
        }
        catch (ApiErrorException gone) when (gone.Error.Code == 404)
        {
            await _store.Create(EventKind.Instance, key.Namespace, e, ct);
            return;
        }
        var count = current["count"] is JsonValue c && c.TryGetValue<int>(out var n) ? n : 0;
        if (count >= write.Count) return;
        current["count"] = write.Count;
        current["lastTimestamp"] = e["lastTimestamp"]!.DeepClone();
        await _store.Replace(EventKind.Instance, key.Namespace, write.Name, current, Subresource.Main, ct);
    }
}
