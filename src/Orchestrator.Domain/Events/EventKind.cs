using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Events;

/// <summary>Event (core/v1): something that happened to an object, for <c>kubectl describe</c> and <c>get events</c>.</summary>
public sealed class EventKind : ResourceKind<Corev1Event>
{
    public static readonly EventKind Instance = new();

    public override string Kind => "Event";
    public override string Plural => "events";
    public override bool Namespaced => true;
    public override bool HasStatusSubresource => false;
    public override IReadOnlyList<string> ShortNames => ["ev"];
    public override IEnumerable<string> SpecFields => [];

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        if (obj["involvedObject"] is not JsonObject involved)
        {
            yield return FieldError.Required("involvedObject");
            yield break;
        }
        var ns = involved.GetString("namespace");
        if (!string.IsNullOrEmpty(ns) && ns != obj.Namespace())
            yield return FieldError.Invalid("involvedObject.namespace", ns, "does not match event.namespace");
        var type = obj.GetString("type");
        if (type is not null and not ("Normal" or "Warning"))
            yield return FieldError.NotSupported("type", type, ["Normal", "Warning"]);
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Last Seen", "string", "Time of the last occurrence."),
        new("Type", "string", "Type of this event (Normal, Warning)."),
        new("Reason", "string", "Short, machine understandable string that gives the reason for this event being generated."),
        new("Object", "string", "The object this event is about."),
        new("Message", "string", "A human-readable description of the status of this operation."),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now)
    {
        var last = obj.GetString("lastTimestamp") ?? obj.GetString("eventTime") ?? obj.Metadata().GetString("creationTimestamp");
        var age = last is not null && DateTimeOffset.TryParse(last, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? HumanDuration(now - t)
            : "<unknown>";
        var involved = obj["involvedObject"] as JsonObject;
        return [age, obj.GetString("type") ?? "Normal", obj.GetString("reason") ?? "",
            $"{involved.GetString("kind")?.ToLowerInvariant()}/{involved.GetString("name")}", obj.GetString("message") ?? ""];
    }
}
