using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Resources;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Domain.Resources;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// <c>resource</c>: apply and delete manifests (<c>-f file.yaml</c>, read on the client and sent
/// as content), and the full change history of any object from its journal.
/// </summary>
/// <remarks>
/// <c>apply</c> creates what does not exist and strategic-merge-patches what does, like
/// <c>kubectl apply</c> without its last-applied annotation: a field removed from the manifest is
/// not removed from the object (remove it with an explicit <c>null</c>). It writes through the
/// node's own API (<see cref="NodeApiWrites"/>), so a manifest is admitted by exactly the rules,
/// and refused with exactly the words, that kubectl meets.
/// </remarks>
public sealed class ManifestPalette : ResourcePalette
{
    private static readonly SwitchDefinition Kind =
        new("kind", "k", "The object's kind: a kind, plural, singular or short name (Deployment, deploy, pods, svc...).", IsRequired: true);

    private static readonly SwitchDefinition IgnoreNotFound =
        new("ignore-not-found", null, "Treat objects that do not exist as deleted.", IsFlag: true);

    private static readonly SwitchDefinition DryRun =
        new("dry-run", null, "Send the objects with dryRun=All: the API admits or refuses them without storing anything.", IsFlag: true);

    private readonly ObjectHistory _history;

    private readonly Lazy<NodeApiWrites> _api;

    public ManifestPalette(ResourceStore store, TimeProvider time, ActorSystem system)
        : base("resource", "Any kind: apply -f, delete -f, history (every change from the journal).", store, time)
    {
        _history = new ObjectHistory(system);
        _api = new Lazy<NodeApiWrites>(() => new NodeApiWrites(NodeApiClient.Create(system)));
        AddResourceCommand(new CommandDefinition("apply", "Creates or updates the objects of a manifest (multi-document YAML or JSON) through the node's API.",
            [ResourceSwitches.File, ResourceSwitches.Namespace, DryRun], IsMutating: true), ApplyAsync);
        AddResourceCommand(new CommandDefinition("delete", "Deletes the objects of a manifest.",
            [ResourceSwitches.File, ResourceSwitches.Namespace, IgnoreNotFound], IsMutating: true), DeleteAsync);
        AddResourceCommand(new CommandDefinition("history", "Every change ever made to an object: time, resourceVersion, change, what changed.",
            [ResourceSwitches.Name("object"), Kind, ResourceSwitches.Namespace, ResourceSwitches.Output]), HistoryAsync);
    }

    private async Task<int> ApplyAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var documents = ManifestDocuments.Parse(request.GetSwitch(ResourceSwitches.File.Name) ?? "", request.GetSwitch(ResourceSwitches.Namespace.Name));
        var dryRun = request.HasFlag(DryRun.Name);
        var failures = 0;
        foreach (var document in documents)
        {
            try
            {
                await output.WriteLineAsync($"{document.Reference} {await ApplyAsync(document, dryRun, ct)}{(dryRun ? " (server dry run)" : "")}", ct);
            }
            catch (ApiErrorException e)
            {
                failures++;
                await output.WriteErrorLineAsync($"{document.Reference} (document {document.Position}): {ErrorFromServer(e.Error)}", ct);
            }
        }
        return failures == 0
            ? ExitCodes.Success
            : throw new CommandException($"{failures} of {documents.Count} objects could not be applied");
    }

    /// <summary>Creates the object, or patches it when it exists; returns created, configured or unchanged.</summary>
    private async Task<string> ApplyAsync(ManifestDocument document, bool dryRun, CancellationToken ct)
    {
        var api = _api.Value;
        if (await api.GetAsync(document.Kind, document.Namespace, document.Name, ct) is not { } current)
        {
            await api.CreateAsync(document.Kind, document.Namespace, document.Object, dryRun, ct);
            return "created";
        }
        var patched = await api.StrategicPatchAsync(document.Kind, document.Namespace, document.Name, document.Object, dryRun, ct);
        return patched.ResourceVersion() == current.ResourceVersion() ? "unchanged" : "configured";
    }

    private async Task<int> DeleteAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var documents = ManifestDocuments.Parse(request.GetSwitch(ResourceSwitches.File.Name) ?? "", request.GetSwitch(ResourceSwitches.Namespace.Name));
        var ignoreNotFound = request.HasFlag(IgnoreNotFound.Name);
        // A delete carries no object for the API to compare: refuse the mismatch as the API refuses it on create.
        if (documents.FirstOrDefault(d => d.NamespaceMismatch) is { } mismatch)
            throw new CommandException($"{mismatch.Reference} (document {mismatch.Position}): {ErrorFromServer(ApiError.NamespaceMismatch())}");
        var failures = 0;
        foreach (var document in documents)
        {
            try
            {
                await Store.Delete(document.Kind, document.Namespace, document.Name, new DeleteRequest(), ct);
                await output.WriteLineAsync($"{document.Reference} deleted", ct);
            }
            catch (ApiErrorException e) when (e.Error.Code == 404 && ignoreNotFound)
            {
            }
            catch (ApiErrorException e)
            {
                failures++;
                await output.WriteErrorLineAsync($"{document.Reference} (document {document.Position}): {ErrorFromServer(e.Error)}", ct);
            }
        }
        return failures == 0
            ? ExitCodes.Success
            : throw new CommandException($"{failures} of {documents.Count} objects could not be deleted");
    }

    private async Task<int> HistoryAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var kindName = request.GetSwitch(Kind.Name) ?? "";
        var kind = ResourceKinds.Resolve(kindName)
                   ?? throw new CommandException(
                       $"unknown kind '{kindName}'; known kinds: {string.Join(", ", ResourceKinds.Served.Select(k => $"{k.Kind} ({string.Join(", ", new[] { k.Plural }.Concat(k.ShortNames))})"))}",
                       ExitCodes.UsageError);
        var name = NameOf(request);
        var key = new ResourceKey(kind.Kind, kind.Namespaced ? NamespaceOf(request) : "", name);
        var changes = await _history.ReadAsync(key, ct);
        if (changes.Count == 0)
            throw new CommandException($"{kind.Kind} {key.EntityId} has no history: no such object was ever created");

        var format = ResourceRendering.FormatOf(request);
        if (format != OutputFormat.Table)
        {
            var items = new JsonArray(changes.Select(c => (JsonNode)new JsonObject
            {
                ["time"] = c.Time is { } time ? ObjectMeta.FormatTime(time) : null,
                ["resourceVersion"] = c.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                ["change"] = c.Change,
                ["summary"] = c.Summary,
            }).ToArray());
            await ResourceRendering.WriteDocumentAsync(output, format, items, ct);
            return ExitCodes.Success;
        }
        await output.WriteTableAsync(new TableOutput($"{kind.Kind} {key.EntityId}", ["TIME", "RESOURCE-VERSION", "CHANGE", "SUMMARY"],
            changes.Select(c => (IReadOnlyList<string>)
            [
                c.Time is { } time ? ObjectMeta.FormatTime(time) : "<unknown>",
                c.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                c.Change,
                c.Summary,
            ]).ToArray()), ct);
        return ExitCodes.Success;
    }
}
