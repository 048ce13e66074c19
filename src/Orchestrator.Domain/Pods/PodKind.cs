using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Pods;

/// <summary>Pod (core/v1): one or more containers run together on one node.</summary>
public sealed class PodKind : ResourceKind<V1Pod>
{
    public static readonly PodKind Instance = new();

    public override string Kind => "Pod";
    public override string Plural => "pods";
    public override bool Namespaced => true;
    public override IReadOnlyList<string> ShortNames => ["po"];

    public override IEnumerable<FieldError> Validate(JsonObject obj) => PodSpecValidation.Validate(obj["spec"], "spec");

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(obj) };
    }

    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"] is JsonObject spec)
        {
            spec["restartPolicy"] ??= "Always";
            spec["terminationGracePeriodSeconds"] ??= 30;
            spec["dnsPolicy"] ??= "ClusterFirst";
            spec["schedulerName"] ??= "default-scheduler";
            PodResources.DefaultRequests(spec);
            foreach (var containers in new[] { spec["containers"], spec["initContainers"] }.OfType<JsonArray>())
            {
                foreach (var c in containers.OfType<JsonObject>())
                {
                    c["imagePullPolicy"] ??= c.GetString("image") is { } image && (image.EndsWith(":latest", StringComparison.Ordinal) || !image.Contains(':', StringComparison.Ordinal))
                        ? "Always"
                        : "IfNotPresent";
                    c["terminationMessagePath"] ??= "/dev/termination-log";
                    c["terminationMessagePolicy"] ??= "File";
                }
            }
        }
    }

    /// <summary>
    /// A pod's spec is immutable except for container images, activeDeadlineSeconds and added
    /// tolerations (as in Kubernetes); <c>nodeName</c> is set once, through the binding subresource.
    /// </summary>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated)
    {
        var before = MutableView(current["spec"]);
        var after = MutableView(updated["spec"]);
        if (!JsonNode.DeepEquals(before, after) || RemovesTolerations(current["spec"], updated["spec"]))
        {
            yield return new FieldError("spec", FieldErrorType.Forbidden,
                "pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds`");
        }
    }

    /// <summary>Tolerations may be added, not removed or changed: every current one must still be there.</summary>
    private static bool RemovesTolerations(JsonNode? current, JsonNode? updated)
    {
        var after = (updated?["tolerations"] as JsonArray)?.ToList() ?? [];
        return (current?["tolerations"] as JsonArray)?.Any(t => !after.Any(u => JsonNode.DeepEquals(t, u))) ?? false;
    }

    private static JsonNode? MutableView(JsonNode? spec)
    {
        if (spec is not JsonObject s) return spec;
        var copy = (JsonObject)s.DeepClone();
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (copy[list] is JsonArray cs)
                foreach (var c in cs.OfType<JsonObject>()) c.Remove("image");
        }
        copy.Remove("activeDeadlineSeconds");
        copy.Remove("tolerations");
        copy.Remove("terminationGracePeriodSeconds");
        return copy;
    }

    /// <summary>The pod's QoS class (<see cref="PodResources.QosClass"/>).</summary>
    public static string QosClass(JsonObject pod) => PodResources.QosClass(pod);

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
        new("Status", "string", "The aggregate status of the containers in this pod."),
        new("Restarts", "string", "The number of times the containers in this pod have been restarted."),
        AgeColumn,
        new("IP", "string", "The IP address assigned to this pod.", 1),
        new("Node", "string", "The name of the node this pod is assigned to.", 1),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now)
    {
        var containers = (obj["spec"]?["containers"] as JsonArray)?.Count ?? 0;
        var statuses = (obj["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var ready = statuses.Count(s => s["ready"] is JsonValue v && v.TryGetValue<bool>(out var b) && b);
        var (status, restarts) = PodPrinter.Print(obj);
        return [obj.Name(), $"{ready}/{containers}", status, restarts.ToString(System.Globalization.CultureInfo.InvariantCulture), Age(obj, now),
            obj["status"].AsObjectOrNull().GetString("podIP") ?? "<none>", obj["spec"].AsObjectOrNull().GetString("nodeName") ?? "<none>"];
    }

    /// <summary>The STATUS column kubectl shows (<see cref="PodPrinter"/>).</summary>
    public static string DisplayStatus(JsonObject pod) => PodPrinter.Print(pod).Status;
}
