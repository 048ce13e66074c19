using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// <c>rollout</c>: status, history, undo, restart of a deployment, as <c>kubectl rollout</c>.
/// History and undo read the ReplicaSets the deployment controller made and the revision it
/// recorded on each (<c>deployment.kubernetes.io/revision</c>).
/// </summary>
public sealed class RolloutPalette : ResourcePalette
{
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    private static readonly DeploymentKind Kind = DeploymentKind.Instance;

    private static readonly SwitchDefinition Timeout =
        new("timeout", "t", "How long to wait for the rollout to finish: 90, 90s, 5m (default 5m).");

    private static readonly SwitchDefinition ToRevision =
        new("to-revision", null, "The revision to go back to (default: the one before the current).");

    public RolloutPalette(ResourceStore store, TimeProvider time)
        : base("rollout", "Deployment rollouts: status, history, undo, restart.", store, time)
    {
        AddResourceCommand(new CommandDefinition("status", "Waits until a deployment's rollout finishes (or the timeout passes), printing its progress.",
            [ResourceSwitches.Name("deployment"), ResourceSwitches.Namespace, Timeout]), StatusAsync);
        AddResourceCommand(new CommandDefinition("history", "Lists a deployment's revisions: its ReplicaSets, images and change causes.",
            [ResourceSwitches.Name("deployment"), ResourceSwitches.Namespace, ResourceSwitches.Output]), HistoryAsync);
        AddResourceCommand(new CommandDefinition("undo", "Rolls a deployment back to an earlier revision's pod template.",
            [ResourceSwitches.Name("deployment"), ResourceSwitches.Namespace, ToRevision], IsMutating: true), UndoAsync);
        AddResourceCommand(new CommandDefinition("restart", "Replaces every pod of a deployment by a rollout (stamps the template's restartedAt annotation).",
            [ResourceSwitches.Name("deployment"), ResourceSwitches.Namespace], IsMutating: true), RestartAsync);
    }

    private async Task<int> StatusAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var timeout = TimeSpan.FromMinutes(5);
        if (request.GetSwitch(Timeout.Name) is { } timeoutText && !RolloutProgress.TryParseTimeout(timeoutText, out timeout))
            throw new CommandException($"--timeout must be a positive duration such as 90, 90s or 5m; '{timeoutText}' is not.", ExitCodes.UsageError);
        var ns = NamespaceOf(request);
        var name = NameOf(request);
        var deployment = await Store.Get(Kind, ns, name, ct);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        string? lastMessage = null;
        try
        {
            if (await ReportAsync(deployment) is { } finished)
                return finished;
            var filter = new ObjectFilter(Kind.Kind, ns, LabelSelector.Everything, FieldSelector.Parse("metadata.name=" + FieldSelector.EscapeValue(name)));
            var since = long.Parse(deployment.ResourceVersion() ?? "0", CultureInfo.InvariantCulture);
            await foreach (var change in Store.Watch(filter, since, deadline.Token))
            {
                if (change.Type == WatchEventType.Deleted)
                    throw new CommandException($"deployment \"{name}\" was deleted while waiting for its rollout");
                if (await ReportAsync(change.Object) is { } exitCode)
                    return exitCode;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // the deadline passed: reported below
        }
        throw new CommandException($"timed out after {timeout} waiting for the rollout of deployment \"{name}\" to finish: {lastMessage}");

        async Task<int?> ReportAsync(JsonObject current)
        {
            var progress = RolloutProgress.Of(current);
            if (progress.Message != lastMessage)
                await output.WriteLineAsync(progress.Message, ct);
            lastMessage = progress.Message;
            if (progress.HasFailed)
                throw new CommandException(progress.Message);
            return progress.IsComplete ? ExitCodes.Success : null;
        }
    }

    private async Task<int> HistoryAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var name = NameOf(request);
        var deployment = await Store.Get(Kind, NamespaceOf(request), name, ct);
        var revisions = await DeploymentRevisions.OwnedReplicaSetsAsync(Store, deployment, ct);
        var format = ResourceRendering.FormatOf(request);
        if (format != OutputFormat.Table)
        {
            var items = new JsonArray(revisions.Select(rs => (JsonNode)new JsonObject
            {
                ["revision"] = DeploymentRevisions.RevisionOf(rs),
                ["replicaSet"] = rs.Name(),
                ["images"] = new JsonArray(Images(rs).Select(image => (JsonNode?)image).ToArray()),
                ["changeCause"] = rs.Annotations().GetValueOrDefault("kubernetes.io/change-cause"),
                ["created"] = rs.Metadata().GetString("creationTimestamp"),
            }).ToArray());
            await ResourceRendering.WriteDocumentAsync(output, format, items, ct);
            return ExitCodes.Success;
        }

        if (revisions.Count == 0)
        {
            await output.WriteLineAsync($"{ResourceRendering.Reference(Kind, name)}: no revisions yet (the deployment controller has made no ReplicaSet for it)", ct);
            return ExitCodes.Success;
        }
        await output.WriteLineAsync(ResourceRendering.Reference(Kind, name), ct);
        var now = Time.GetUtcNow();
        await output.WriteTableAsync(new TableOutput(null, ["REVISION", "REPLICASET", "IMAGES", "CHANGE-CAUSE", "AGE"],
            revisions.Select(rs => (IReadOnlyList<string>)
            [
                DeploymentRevisions.RevisionOf(rs).ToString(CultureInfo.InvariantCulture),
                rs.Name(),
                string.Join(",", Images(rs)),
                rs.Annotations().GetValueOrDefault("kubernetes.io/change-cause") ?? "<none>",
                ResourceKind.Age(rs, now),
            ]).ToArray()), ct);
        return ExitCodes.Success;
    }

    private static IEnumerable<string> Images(JsonObject replicaSet) =>
        (replicaSet["spec"]?["template"]?["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>()
            .Select(c => c.GetString("image") ?? "") ?? [];

    private async Task<int> UndoAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var ns = NamespaceOf(request);
        var name = NameOf(request);
        var deployment = await Store.Get(Kind, ns, name, ct);
        var revisions = await DeploymentRevisions.OwnedReplicaSetsAsync(Store, deployment, ct);
        if (revisions.Count == 0)
            throw new CommandException($"no rollout history found for deployment \"{name}\"");

        JsonObject target;
        if (request.GetSwitch(ToRevision.Name) is { } revisionText)
        {
            if (!long.TryParse(revisionText, NumberStyles.None, CultureInfo.InvariantCulture, out var wanted) || wanted == 0)
                throw new CommandException($"--to-revision must be a revision number (1 or more); '{revisionText}' is not.", ExitCodes.UsageError);
            target = revisions.FirstOrDefault(rs => DeploymentRevisions.RevisionOf(rs) == wanted)
                     ?? throw new CommandException($"unable to find the specified revision {wanted} of deployment \"{name}\"; " +
                                                   $"revisions: {string.Join(", ", revisions.Select(DeploymentRevisions.RevisionOf))}");
        }
        else
        {
            if (revisions.Count < 2)
                throw new CommandException($"no previous revision of deployment \"{name}\" to roll back to (it has only revision {DeploymentRevisions.RevisionOf(revisions[0])})");
            target = revisions[^2];
        }

        // As the deployment controller does: the ReplicaSet's template without the hash label it added.
        var template = target["spec"]?["template"]?.DeepClone() as JsonObject
                       ?? throw new CommandException($"ReplicaSet \"{target.Name()}\" has no pod template to roll back to");
        if (template["metadata"]?["labels"] is JsonObject labels)
            labels.Remove("pod-template-hash");
        var revision = DeploymentRevisions.RevisionOf(target);
        var patch = new JsonArray(new JsonObject { ["op"] = "replace", ["path"] = "/spec/template", ["value"] = template });
        await Store.Patch(Kind, ns, name, PatchType.Json, patch, Subresource.Main, $"rolled back to revision {revision}", ct);
        await output.WriteLineAsync($"{ResourceRendering.Reference(Kind, name)} rolled back to revision {revision}", ct);
        return ExitCodes.Success;
    }

    private async Task<int> RestartAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var name = NameOf(request);
        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject { [RestartedAtAnnotation] = ObjectMeta.FormatTime(Time.GetUtcNow()) },
                    },
                },
            },
        };
        await MergePatchAsync(Kind, NamespaceOf(request), name, patch, "restarted", ct);
        await output.WriteLineAsync($"{ResourceRendering.Reference(Kind, name)} restarted", ct);
        return ExitCodes.Success;
    }
}
