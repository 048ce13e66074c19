using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Controllers;

/// <summary>Writes Event objects (<c>kubectl describe</c>, <c>kubectl get events</c>); a failed write is only logged by the caller.</summary>
public static class EventRecorder
{
    public static Task<JsonObject> Record(IControllerStore store, JsonObject involved, string type, string reason, string message, string component, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(involved);
        var key = EventObject.KeyOf(involved, fieldPath: null, type, reason, message, component, host: null);
        var name = $"{involved.Name()}.{now.UtcTicks.ToString("x", CultureInfo.InvariantCulture)}{Random.Shared.Next(0x1000):x3}";
        return store.Create(EventKind.Instance, key.Namespace, EventObject.Build(involved, key, new EventWrite(name, IsNew: true, 1, now, now)), ct);
    }
}
