using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Events;

/// <summary>The core/v1 Event object for an occurrence, as the scheduler and the node agent write it.</summary>
public static class EventObject
{
    /// <summary>The key of an event about <paramref name="involved"/> (a container of it when <paramref name="fieldPath"/> is set).</summary>
    public static EventKey KeyOf(JsonObject involved, string? fieldPath, string type, string reason, string message, string component, string? host)
    {
        ArgumentNullException.ThrowIfNull(involved);
        return new EventKey(NamespaceOf(involved), involved.GetString("kind") ?? "", involved.Name(), involved.Uid(), fieldPath, type, reason, message, component, host);
    }

    /// <summary>The Event named by <paramref name="write"/> for the occurrence <paramref name="key"/> of <paramref name="involved"/>.</summary>
    public static JsonObject Build(JsonObject involved, EventKey key, EventWrite write)
    {
        ArgumentNullException.ThrowIfNull(involved);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(write);
        var source = new JsonObject { ["component"] = key.Component };
        if (key.Host is not null) source["host"] = key.Host;
        var involvedRef = new JsonObject
        {
            ["apiVersion"] = involved.GetString("apiVersion"),
            ["kind"] = involved.GetString("kind"),
            ["namespace"] = involved.Namespace().Length > 0 ? involved.Namespace() : null,
            ["name"] = involved.Name(),
            ["uid"] = involved.Uid(),
        };
        if (key.FieldPath is not null) involvedRef["fieldPath"] = key.FieldPath;
        var e = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = write.Name, ["namespace"] = key.Namespace },
            ["involvedObject"] = involvedRef,
            ["type"] = key.Type,
            ["reason"] = key.Reason,
            ["message"] = key.Message,
            ["source"] = source,
            ["reportingComponent"] = key.Component,
            ["firstTimestamp"] = ObjectMeta.FormatTime(write.FirstTimestamp),
            ["lastTimestamp"] = ObjectMeta.FormatTime(write.LastTimestamp),
            ["count"] = write.Count,
        };
        if (key.Host is not null) e["reportingInstance"] = key.Host;
        return e;
    }

    /// <summary>Where an Event about <paramref name="involved"/> lives: its namespace, or <c>default</c> for cluster-scoped objects.</summary>
    public static string NamespaceOf(JsonObject involved)
    {
        ArgumentNullException.ThrowIfNull(involved);
        return involved.Namespace().Length > 0 ? involved.Namespace() : "default";
    }
}
