using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.ReplicaSets;

/// <summary>ReplicaSet (apps/v1): keeps a number of identical pods running.</summary>
public sealed class ReplicaSetKind : ResourceKind<V1ReplicaSet>
{
    public static readonly ReplicaSetKind Instance = new();

    public override string Kind => "ReplicaSet";
    public override string Group => "apps";
    public override string Plural => "replicasets";
    public override bool Namespaced => true;
    public override bool HasScaleSubresource => true;
    public override IReadOnlyList<string> ShortNames => ["rs"];

    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"] is JsonObject spec) spec["replicas"] ??= 1;
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj) => WorkloadValidation.Validate(obj);

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated) =>
        WorkloadValidation.SelectorImmutable(current, updated);

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Desired", "integer", "Number of desired pods."),
        new("Current", "integer", "Number of actual replicas."),
        new("Ready", "integer", "The number of ready replicas for this replica set."),
        AgeColumn,
        new("Containers", "string", "Names of each container in the template.", 1),
        new("Images", "string", "Images referenced by each container in the template.", 1),
        new("Selector", "string", "Selector that matches pods.", 1),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now) =>
    [
        obj.Name(),
        WorkloadValidation.Int(obj["spec"]?["replicas"]),
        WorkloadValidation.Int(obj["status"]?["replicas"]),
        WorkloadValidation.Int(obj["status"]?["readyReplicas"]),
        Age(obj, now),
        WorkloadValidation.ContainerField(obj, "name"),
        WorkloadValidation.ContainerField(obj, "image"),
        WorkloadValidation.SelectorText(obj),
    ];
}

/// <summary>Validation shared by the workload kinds that hold a selector and a pod template.</summary>
public static class WorkloadValidation
{
    public static IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject;
        if (spec is null)
        {
            yield return FieldError.Required("spec");
            yield break;
        }
        if (spec["replicas"].GetLong() is { } replicas && replicas < 0)
        {
            yield return FieldError.Invalid("spec.replicas", replicas, "must be greater than or equal to 0");
        }
        if (spec["minReadySeconds"].GetLong() is { } minReady && minReady < 0)
        {
            yield return FieldError.Invalid("spec.minReadySeconds", minReady, "must be greater than or equal to 0");
        }
        LabelSelector? selector = null;
        FieldError? selectorError = null;
        if (spec["selector"] is not JsonObject selectorObject)
        {
            selectorError = FieldError.Required("spec.selector");
        }
        else
        {
            try
            {
                selector = LabelSelector.FromLabelSelector(selectorObject);
                if (selector.IsEverything)
                    selectorError = new FieldError("spec.selector", FieldErrorType.Invalid, "{}: empty selector is invalid for deployment");
            }
            catch (SelectorParseException e)
            {
                selectorError = new FieldError("spec.selector", FieldErrorType.Invalid, e.Message);
            }
        }
        if (selectorError is not null) yield return selectorError;

        var template = spec["template"] as JsonObject;
        if (template is null)
        {
            yield return FieldError.Required("spec.template");
            yield break;
        }
        var labels = ObjectMeta.StringMap(template["metadata"]?["labels"]);
        if (template["metadata"]?["labels"] is JsonObject labelObject)
        {
            foreach (var e in NameValidation.ValidateLabels(labelObject, "spec.template.metadata.labels")) yield return e;
        }
        if (selector is not null && !selector.IsEverything && !selector.Matches(labels))
        {
            yield return new FieldError("spec.template.metadata.labels", FieldErrorType.Invalid,
                $"{{{string.Join(", ", labels.Select(kv => $"\"{kv.Key}\":\"{kv.Value}\""))}}}: `selector` does not match template `labels`");
        }
        foreach (var e in PodSpecValidation.Validate(template["spec"], "spec.template.spec", template: true)) yield return e;
    }

    public static IEnumerable<FieldError> SelectorImmutable(JsonObject current, JsonObject updated)
    {
        if (!JsonNode.DeepEquals(current["spec"]?["selector"], updated["spec"]?["selector"]))
            yield return FieldError.Invalid("spec.selector", updated["spec"]?["selector"]?.ToJsonString(), "field is immutable");
    }

    public static string Int(JsonNode? node) =>
        (node.GetLong() ?? 0).ToString(CultureInfo.InvariantCulture);

    public static string ContainerField(JsonObject obj, string field) =>
        string.Join(",", (obj["spec"]?["template"]?["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>().Select(c => c.GetString(field) ?? "") ?? []);

    public static string SelectorText(JsonObject obj)
    {
        try
        {
            return obj["spec"]?["selector"] is JsonObject s ? LabelSelector.FromLabelSelector(s).ToString() : "";
        }
        catch (SelectorParseException)
        {
            return "<invalid>";
        }
    }
}
