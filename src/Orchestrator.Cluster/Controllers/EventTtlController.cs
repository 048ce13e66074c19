using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Resources;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Deletes Events once they expire (<see cref="ControllerSettings.EventTtl"/> after they were last
/// seen, <see cref="EventExpiry"/>), as the API server's event TTL does in Kubernetes. Level
/// triggered: every Event it observes is checked, and one not expired yet is checked again when
/// it is due (a repeat that renews it is observed and moves that time). Only the Event is deleted,
/// through the store as any client would; no other object's journal is touched.
/// </summary>
public sealed class EventTtlController : ControllerActor
{
    private readonly TimeSpan _ttl;
    private readonly Dictionary<string, JsonObject> _events = new(StringComparer.Ordinal);

    public EventTtlController(IControllerStore store, TimeSpan ttl, TimeProvider time)
        : base(store, [ObjectFilter.All(EventKind.Instance.Kind)], time)
    {
        _ttl = ttl;
    }

    public static Props Props(IControllerStore store, TimeSpan ttl, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new EventTtlController(store, ttl, time));

    protected override IEnumerable<string> AllKeys() => _events.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var key = KeyOf(e.Object);
        UpdateCache(_events, key, e);
        return e.Type == WatchEventType.Deleted || _ttl <= TimeSpan.Zero ? [] : [key];
    }

    protected override Task Sync(string key)
    {
        if (!_events.TryGetValue(key, out var e) || e.IsDeleting() || EventExpiry.ExpiresAt(e, _ttl) is not { } expires) return Task.CompletedTask;
        var now = Time.GetUtcNow();
        if (expires > now)
        {
            RetryAfter(key, expires - now + TimeSpan.FromMilliseconds(50));
            return Task.CompletedTask;
        }
        return Expire(e);
    }

    /// <summary>Deletes the Event as this controller saw it: one renewed meanwhile (409) is observed and checked again, one gone (404) is done.</summary>
    private async Task Expire(JsonObject e)
    {
        try
        {
            await IgnoreGone(Store.Delete(EventKind.Instance, e.Namespace(), e.Name(), new DeleteRequest(e.Uid(), e.ResourceVersion()), Stopping));
        }
        catch (ApiErrorException conflict) when (conflict.Error.Code == 409)
        {
        }
    }
}
