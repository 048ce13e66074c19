using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.DaemonSets;

/// <summary>DaemonSet (apps/v1): one pod of a template on every eligible node.</summary>
public sealed class DaemonSetKind : ResourceKind<V1DaemonSet>
{
    public static readonly DaemonSetKind Instance = new();

    public override string Kind => "DaemonSet";
    public override string Group => "apps";
    public override string Plural => "daemonsets";
    public override bool Namespaced => true;
    public override IReadOnlyList<string> ShortNames => ["ds"];

    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec) return;
        spec["revisionHistoryLimit"] ??= 10;
        spec["minReadySeconds"] ??= 0;
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
            rolling["maxUnavailable"] ??= 1;
            rolling["maxSurge"] ??= 0;
        }
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        foreach (var e in WorkloadValidation.Validate(obj)) yield return e;
        var strategy = obj["spec"]?["updateStrategy"] as JsonObject;
        var type = strategy.GetString("type");
        if (type is not null and not "RollingUpdate" and not "OnDelete")
            yield return FieldError.NotSupported("spec.updateStrategy.type", type, ["OnDelete", "RollingUpdate"]);
        if (type == "OnDelete" && strategy?["rollingUpdate"] is not null)
            yield return FieldError.Forbidden("spec.updateStrategy.rollingUpdate", "may not be specified when strategy `type` is 'OnDelete'");
        if (strategy?["rollingUpdate"] is JsonObject rolling)
        {
            foreach (var e in DeploymentKind.RollingUpdateErrors(rolling, "spec.updateStrategy.rollingUpdate")) yield return e;
        }
        var restart = (obj["spec"]?["template"]?["spec"] as JsonObject).GetString("restartPolicy");
        if (restart is not null and not "Always")
            yield return FieldError.NotSupported("spec.template.spec.restartPolicy", restart, ["Always"]);
    }

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated) =>
        WorkloadValidation.SelectorImmutable(current, updated);

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Desired", "integer", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod)."),
        new("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
        new("Ready", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
        new("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
        new("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
        new("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node."),
        AgeColumn,
        new("Containers", "string", "Names of each container in the template.", 1),
        new("Images", "string", "Images referenced by each container in the template.", 1),
        new("Selector", "string", "A label query over pods that are managed by the daemon set.", 1),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now)
    {
        var selector = ObjectMeta.StringMap(obj["spec"]?["template"]?["spec"]?["nodeSelector"]);
        var status = obj["status"];
        return
        [
            obj.Name(),
            WorkloadValidation.Int(status?["desiredNumberScheduled"]),
            WorkloadValidation.Int(status?["currentNumberScheduled"]),
            WorkloadValidation.Int(status?["numberReady"]),
            WorkloadValidation.Int(status?["updatedNumberScheduled"]),
            WorkloadValidation.Int(status?["numberAvailable"]),
            selector.Count == 0 ? "<none>" : string.Join(",", selector.Select(kv => $"{kv.Key}={kv.Value}")),
            Age(obj, now),
            WorkloadValidation.ContainerField(obj, "name"),
            WorkloadValidation.ContainerField(obj, "image"),
            WorkloadValidation.SelectorText(obj),
        ];
    }
}
