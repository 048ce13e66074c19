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
        var ns = involved.Namespace().Length > 0 ? involved.Namespace() : "default";
        var time = ObjectMeta.FormatTime(now);
        var e = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{involved.Name()}.{now.UtcTicks.ToString("x", CultureInfo.InvariantCulture)}{Random.Shared.Next(0x1000):x3}",
                ["namespace"] = ns,
            },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = involved.GetString("apiVersion"),
                ["kind"] = involved.GetString("kind"),
                ["namespace"] = involved.Namespace().Length > 0 ? involved.Namespace() : null,
                ["name"] = involved.Name(),
                ["uid"] = involved.Uid(),
            },
            ["type"] = type,
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = component },
            ["reportingComponent"] = component,
            ["firstTimestamp"] = time,
            ["lastTimestamp"] = time,
            ["count"] = 1,
        };
        return store.Create(EventKind.Instance, ns, e, ct);
    }
}
