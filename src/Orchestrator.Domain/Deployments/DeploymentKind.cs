using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Deployments;

/// <summary>Deployment (apps/v1): declarative rollouts of a pod template through ReplicaSets.</summary>
public sealed class DeploymentKind : ResourceKind<V1Deployment>
{
    public static readonly DeploymentKind Instance = new();

    public override string Kind => "Deployment";
    public override string Group => "apps";
    public override string Plural => "deployments";
    public override bool Namespaced => true;
    public override bool HasScaleSubresource => true;
    public override IReadOnlyList<string> ShortNames => ["deploy"];

    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec) return;
        spec["replicas"] ??= 1;
        spec["revisionHistoryLimit"] ??= 10;
        spec["progressDeadlineSeconds"] ??= 600;
        if (spec["strategy"] is not JsonObject strategy)
        {
            strategy = new JsonObject();
            spec["strategy"] = strategy;
        }
        strategy["type"] ??= "RollingUpdate";
        if (strategy.GetString("type") == "RollingUpdate")
        {
            if (strategy["rollingUpdate"] is not JsonObject rolling)
            {
                rolling = new JsonObject();
                strategy["rollingUpdate"] = rolling;
            }
            rolling["maxSurge"] ??= "25%";
            rolling["maxUnavailable"] ??= "25%";
        }
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        foreach (var e in WorkloadValidation.Validate(obj)) yield return e;
        var strategy = obj["spec"]?["strategy"] as JsonObject;
        var type = strategy.GetString("type");
        if (type is not null and not "RollingUpdate" and not "Recreate")
        {
            yield return FieldError.NotSupported("spec.strategy.type", type, ["Recreate", "RollingUpdate"]);
        }
        if (type == "Recreate" && strategy?["rollingUpdate"] is not null)
        {
            yield return FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
        }
        if (strategy?["rollingUpdate"] is JsonObject rolling)
        {
            foreach (var e in RollingUpdateErrors(rolling, "spec.strategy.rollingUpdate")) yield return e;
        }
    }

    /// <summary>maxSurge and maxUnavailable of a rollingUpdate at <paramref name="path"/> (Deployments and DaemonSets): ints or percentages, not both 0.</summary>
    public static IEnumerable<FieldError> RollingUpdateErrors(JsonObject rolling, string path)
    {
        ArgumentNullException.ThrowIfNull(rolling);
        var surge = IntOrPercent(rolling["maxSurge"], path + ".maxSurge", out var surgeError);
        var unavailable = IntOrPercent(rolling["maxUnavailable"], path + ".maxUnavailable", out var unavailableError);
        if (surgeError is not null) yield return surgeError;
        if (unavailableError is not null) yield return unavailableError;
        if (surge == 0 && unavailable == 0)
        {
            yield return new FieldError(path + ".maxUnavailable", FieldErrorType.Invalid, "0: may not be 0 when `maxSurge` is 0");
        }
    }

    private static double? IntOrPercent(JsonNode? node, string path, out FieldError? error)
    {
        error = null;
        if (node is not JsonValue v) return null;
        if (v.GetLong() is { } n)
        {
            if (n < 0) error = FieldError.Invalid(path, n, "must be greater than or equal to 0");
            return n;
        }
        if (v.TryGetValue<string>(out var s) && s.EndsWith('%') && double.TryParse(s[..^1], System.Globalization.CultureInfo.InvariantCulture, out var pct))
        {
            if (pct is < 0 or > 100) error = FieldError.Invalid(path, s, "must be between 0% and 100%");
            return pct;
        }
        error = FieldError.Invalid(path, v.ToJsonString(), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
        return null;
    }

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated) =>
        WorkloadValidation.SelectorImmutable(current, updated);

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Ready", "string", "Number of the pod with ready state"),
        new("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        new("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        AgeColumn,
        new("Containers", "string", "Names of each container in the template.", 1),
        new("Images", "string", "Images referenced by each container in the template.", 1),
        new("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now) =>
    [
        obj.Name(),
        $"{WorkloadValidation.Int(obj["status"]?["readyReplicas"])}/{WorkloadValidation.Int(obj["spec"]?["replicas"])}",
        WorkloadValidation.Int(obj["status"]?["updatedReplicas"]),
        WorkloadValidation.Int(obj["status"]?["availableReplicas"]),
        Age(obj, now),
        WorkloadValidation.ContainerField(obj, "name"),
        WorkloadValidation.ContainerField(obj, "image"),
        WorkloadValidation.SelectorText(obj),
    ];
}
