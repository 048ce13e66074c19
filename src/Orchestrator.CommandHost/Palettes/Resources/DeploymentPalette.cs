using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary><c>deploy</c>: list, describe, scale. The rollout commands are the <c>rollout</c> palette.</summary>
public sealed class DeploymentPalette : ResourcePalette
{
    private static readonly DeploymentKind Kind = DeploymentKind.Instance;

    private static readonly SwitchDefinition Replicas = new("replicas", "r", "The number of pods the deployment should run.", IsRequired: true);

    public DeploymentPalette(ResourceStore store, TimeProvider time) : base("deploy", "Deployments: list, describe, scale (rollouts: the rollout palette).", store, time)
    {
        AddListCommand(Kind, "Lists deployments (-w: then every change).");
        AddDescribeCommand(Kind, "Shows a deployment: replicas, strategy, template, conditions, ReplicaSets.");
        AddResourceCommand(new CommandDefinition("scale", "Sets the number of replicas.",
            [ResourceSwitches.Name("deployment"), ResourceSwitches.Namespace, Replicas], IsMutating: true), ScaleAsync);
    }

    private async Task<int> ScaleAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var text = request.GetSwitch(Replicas.Name) ?? "";
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var replicas))
            throw new CommandException($"--replicas must be a whole number, 0 or more; '{text}' is not.", ExitCodes.UsageError);
        var name = NameOf(request);
        await MergePatchAsync(Kind, NamespaceOf(request), name,
            new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }, "scaled", ct);
        await output.WriteLineAsync($"{ResourceRendering.Reference(Kind, name)} scaled", ct);
        return ExitCodes.Success;
    }

    protected override async Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken)
    {
        var spec = obj["spec"] as JsonObject;
        var status = obj["status"] as JsonObject;
        text.Selector(spec?["selector"]);
        text.Field("Replicas", $"{Int(spec?["replicas"])} desired | {Int(status?["updatedReplicas"])} updated | " +
            $"{Int(status?["replicas"])} total | {Int(status?["availableReplicas"])} available | {Int(status?["unavailableReplicas"])} unavailable");
        text.Field("StrategyType", spec?["strategy"].AsObjectOrNull().GetString("type") ?? "RollingUpdate");
        text.Field("Generation", $"{obj.Generation()} (observed: {Int(status?["observedGeneration"])})");
        text.Section("Pod Template");
        text.Map("Labels", ObjectMeta.StringMap(spec?["template"]?["metadata"]?["labels"]), 1);
        text.Map("Annotations", ObjectMeta.StringMap(spec?["template"]?["metadata"]?["annotations"]), 1);
        text.Containers(spec?["template"]?["spec"], 1);
        text.Section("Conditions");
        foreach (var condition in (status?["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
            text.Line($"{condition.GetString("type"),-16}{condition.GetString("status"),-8}{condition.GetString("reason")}".TrimEnd(), 1);
        text.Section("ReplicaSets");
        foreach (var replicaSet in await DeploymentRevisions.OwnedReplicaSetsAsync(Store, obj, cancellationToken))
            text.Line($"{replicaSet.Name(),-40}revision {DeploymentRevisions.RevisionOf(replicaSet),-4}{Int(replicaSet["status"]?["replicas"])}/{Int(replicaSet["spec"]?["replicas"])} replicas", 1);
    }

    private static long Int(JsonNode? node) => node.GetLong() ?? 0;
}

/// <summary>The ReplicaSets a deployment owns and their revision numbers, as the deployment controller records them.</summary>
internal static class DeploymentRevisions
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    /// <summary>The ReplicaSets whose controller owner is <paramref name="deployment"/>, oldest revision first.</summary>
    public static async Task<IReadOnlyList<JsonObject>> OwnedReplicaSetsAsync(ResourceStore store, JsonObject deployment, CancellationToken ct)
    {
        var list = await store.List(new ObjectFilter(ReplicaSetKind.Instance.Kind, deployment.Namespace(),
            LabelSelector.Everything, FieldSelector.Everything), ct);
        var uid = deployment.Uid();
        return list.Items
            .Where(rs => rs.Metadata()["ownerReferences"] is JsonArray owners && owners.OfType<JsonObject>().Any(owner =>
                owner.GetString("kind") == "Deployment" &&
                (uid is null ? owner.GetString("name") == deployment.Name() : owner.GetString("uid") == uid)))
            .OrderBy(RevisionOf)
            .ThenBy(rs => rs.Name(), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The revision annotation as a number; 0 when the controller has not set it.</summary>
    public static long RevisionOf(JsonObject replicaSet) =>
        long.TryParse(replicaSet.Annotations().GetValueOrDefault(RevisionAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : 0;
}
