using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.StatefulSets;

/// <summary>StatefulSet (apps/v1): pods with stable names NAME-0..N-1 and stable DNS names through a headless Service.</summary>
public sealed class StatefulSetKind : ResourceKind<V1StatefulSet>
{
    public static readonly StatefulSetKind Instance = new();

    public override string Kind => "StatefulSet";
    public override string Group => "apps";
    public override string Plural => "statefulsets";
    public override bool Namespaced => true;
    public override bool HasScaleSubresource => true;
    public override IReadOnlyList<string> ShortNames => ["sts"];

    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec) return;
        spec["replicas"] ??= 1;
        spec["revisionHistoryLimit"] ??= 10;
        spec["minReadySeconds"] ??= 0;
        spec["podManagementPolicy"] ??= "OrderedReady";
        if (spec["updateStrategy"] is not JsonObject strategy)
        {
            strategy = new JsonObject();
            spec["updateStrategy"] = strategy;
        }
        strategy["type"] ??= "RollingUpdate";
        if (strategy.GetString("type") == "RollingUpdate")
        {
            if (strategy["rollingUpdate"] is not JsonObject rolling)
            {
                rolling = new JsonObject();
                strategy["rollingUpdate"] = rolling;
            }
            rolling["partition"] ??= 0;
        }
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        foreach (var e in WorkloadValidation.Validate(obj)) yield return e;
        var spec = obj["spec"] as JsonObject;
        var policy = spec.GetString("podManagementPolicy");
        if (policy is not null and not "OrderedReady" and not "Parallel")
            yield return FieldError.NotSupported("spec.podManagementPolicy", policy, ["OrderedReady", "Parallel"]);
        var strategy = spec?["updateStrategy"] as JsonObject;
        var type = strategy.GetString("type");
        if (type is not null and not "RollingUpdate" and not "OnDelete")
            yield return FieldError.NotSupported("spec.updateStrategy.type", type, ["OnDelete", "RollingUpdate"]);
        if (type == "OnDelete" && strategy?["rollingUpdate"] is not null)
            yield return FieldError.Invalid("spec.updateStrategy.rollingUpdate", strategy["rollingUpdate"]?.ToJsonString(), "only allowed for updateStrategy 'RollingUpdate'");
        if (strategy?["rollingUpdate"]?["partition"].GetLong() is { } partition && partition < 0)
            yield return FieldError.Invalid("spec.updateStrategy.rollingUpdate.partition", partition, "must be greater than or equal to 0");
        if (spec.GetString("serviceName") is { Length: > 0 } service)
        {
            foreach (var e in NameValidation.IsDns1123Label(service, "spec.serviceName")) yield return e;
        }
        var restart = (spec?["template"]?["spec"] as JsonObject).GetString("restartPolicy");
        if (restart is not null and not "Always")
            yield return FieldError.NotSupported("spec.template.spec.restartPolicy", restart, ["Always"]);
        if (spec?["volumeClaimTemplates"] is JsonArray { Count: > 0 })
            yield return FieldError.Forbidden("spec.volumeClaimTemplates", "PersistentVolumeClaims are not served by this orchestrator yet: use a StatefulSet without volumeClaimTemplates");
    }

    /// <summary>As in Kubernetes, only replicas, template, updateStrategy, minReadySeconds and the like may change.</summary>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated)
    {
        foreach (var e in WorkloadValidation.SelectorImmutable(current, updated)) yield return e;
        foreach (var field in new[] { "serviceName", "podManagementPolicy" })
        {
            if (!JsonNode.DeepEquals(current["spec"]?[field], updated["spec"]?[field]))
                yield return FieldError.Forbidden("spec", $"updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden ({field})");
        }
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Ready", "string", "Number of the pod with ready state"),
        AgeColumn,
        new("Containers", "string", "Names of each container in the template.", 1),
        new("Images", "string", "Images referenced by each container in the template.", 1),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now) =>
    [
        obj.Name(),
        $"{WorkloadValidation.Int(obj["status"]?["readyReplicas"])}/{WorkloadValidation.Int(obj["spec"]?["replicas"])}",
        Age(obj, now),
        WorkloadValidation.ContainerField(obj, "name"),
        WorkloadValidation.ContainerField(obj, "image"),
    ];
}
