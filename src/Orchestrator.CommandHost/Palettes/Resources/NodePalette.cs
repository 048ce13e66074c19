using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// <c>node</c>: list, describe, cordon, uncordon, drain. Cordon sets <c>spec.unschedulable</c> so
/// the scheduler places nothing new there; drain cordons, then deletes every pod bound to the node
/// except those a DaemonSet owns (they belong on every node and would come straight back).
/// </summary>
public sealed class NodePalette : ResourcePalette
{
    private static readonly NodeKind Kind = NodeKind.Instance;

    public NodePalette(ResourceStore store, TimeProvider time) : base("node", "Nodes: list, describe, cordon, uncordon, drain.", store, time)
    {
        AddListCommand(Kind, "Lists the nodes (-w: then every change).");
        AddDescribeCommand(Kind, "Shows a node: conditions, addresses, capacity, its pods.");
        AddResourceCommand(new CommandDefinition("cordon", "Marks a node unschedulable: no new pods are placed there.",
            [ResourceSwitches.Name("node")], IsMutating: true), (request, output, ct) => SetUnschedulableAsync(request, output, true, ct));
        AddResourceCommand(new CommandDefinition("uncordon", "Marks a node schedulable again.",
            [ResourceSwitches.Name("node")], IsMutating: true), (request, output, ct) => SetUnschedulableAsync(request, output, false, ct));
        AddResourceCommand(new CommandDefinition("drain", "Cordons a node, then deletes its pods (DaemonSet pods stay).",
            [ResourceSwitches.Name("node")], IsMutating: true), DrainAsync);
    }

    private async Task<int> SetUnschedulableAsync(CommandRequest request, ICommandOutput output, bool unschedulable, CancellationToken ct)
    {
        var name = NameOf(request);
        await output.WriteLineAsync(await CordonAsync(name, unschedulable, ct), ct);
        return ExitCodes.Success;
    }

    /// <summary>Sets or clears <c>spec.unschedulable</c>; returns kubectl's message.</summary>
    private async Task<string> CordonAsync(string name, bool unschedulable, CancellationToken ct)
    {
        var before = await Store.Get(Kind, "", name, ct);
        var verb = unschedulable ? "cordoned" : "uncordoned";
        if (IsUnschedulable(before) == unschedulable)
            return $"node/{name} already {verb}";
        await MergePatchAsync(Kind, "", name,
            new JsonObject { ["spec"] = new JsonObject { ["unschedulable"] = unschedulable ? true : null } }, verb, ct);
        return $"node/{name} {verb}";
    }

    private static bool IsUnschedulable(JsonObject node) =>
        node["spec"]?["unschedulable"] is JsonValue value && value.TryGetValue<bool>(out var cordoned) && cordoned;

    private async Task<int> DrainAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var name = NameOf(request);
        await output.WriteLineAsync(await CordonAsync(name, true, ct), ct);
        var pods = await PodsOnAsync(name, ct);
        var daemonSetPods = pods.Where(IsOwnedByDaemonSet).ToList();
        if (daemonSetPods.Count > 0)
            await output.WriteErrorLineAsync(
                "Warning: ignoring DaemonSet-managed Pods: " + string.Join(", ", daemonSetPods.Select(p => $"{p.Namespace()}/{p.Name()}")), ct);
        foreach (var pod in pods.Except(daemonSetPods).Where(p => !p.IsDeleting()))
        {
            try
            {
                await Store.Delete(PodKind.Instance, pod.Namespace(), pod.Name(), new DeleteRequest(), ct);
                await output.WriteLineAsync($"pod/{pod.Name()} deleted (namespace {pod.Namespace()})", ct);
            }
            catch (ApiErrorException e) when (e.Error.Code == 404)
            {
                // gone already: that is what drain wants
            }
        }
        await output.WriteLineAsync($"node/{name} drained", ct);
        return ExitCodes.Success;
    }

    private async Task<List<JsonObject>> PodsOnAsync(string nodeName, CancellationToken ct)
    {
        var filter = new ObjectFilter(PodKind.Instance.Kind, null, LabelSelector.Everything,
            FieldSelector.Parse("spec.nodeName=" + FieldSelector.EscapeValue(nodeName)));
        var list = await Store.List(filter, ct);
        return list.Items.OrderBy(p => p.Namespace(), StringComparer.Ordinal).ThenBy(p => p.Name(), StringComparer.Ordinal).ToList();
    }

    private static bool IsOwnedByDaemonSet(JsonObject pod) =>
        pod.Metadata()["ownerReferences"] is JsonArray owners && owners.OfType<JsonObject>().Any(o => o.GetString("kind") == "DaemonSet");

    protected override async Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken)
    {
        text.Field("Unschedulable", IsUnschedulable(obj) ? "true" : "false");
        var taints = (obj["spec"]?["taints"] as JsonArray)?.OfType<JsonObject>()
            .Select(t => $"{t.GetString("key")}{(t.GetString("value") is { } v ? "=" + v : "")}:{t.GetString("effect")}").ToList() ?? [];
        text.Field("Taints", taints.Count == 0 ? "<none>" : string.Join(", ", taints));
        text.Section("Conditions");
        foreach (var condition in (obj["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
            text.Line($"{condition.GetString("type"),-20}{condition.GetString("status"),-8}{condition.GetString("reason")} {condition.GetString("message")}".TrimEnd(), 1);
        text.Section("Addresses");
        foreach (var address in (obj["status"]?["addresses"] as JsonArray)?.OfType<JsonObject>() ?? [])
            text.Field(address.GetString("type") ?? "", address.GetString("address") ?? "", 1);
        text.Map("Capacity", ObjectMeta.StringMap(obj["status"]?["capacity"]));
        text.Map("Allocatable", ObjectMeta.StringMap(obj["status"]?["allocatable"]));
        var pods = await PodsOnAsync(obj.Name(), cancellationToken);
        text.Section($"Pods ({pods.Count})");
        foreach (var pod in pods)
            text.Line($"{pod.Namespace(),-20}{pod.Name(),-40}{PodKind.DisplayStatus(pod)}", 1);
    }
}
