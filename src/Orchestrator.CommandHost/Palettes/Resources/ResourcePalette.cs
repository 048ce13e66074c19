using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// The base of the palettes over the control plane's objects (<c>node</c>, <c>pod</c>, <c>deploy</c>,
/// ...): the shared <c>list</c> (with <c>-w</c>) and <c>describe</c>, and the translation of the
/// store's Kubernetes errors into messages and exit codes (<c>Error from server (NotFound): ...</c>).
/// </summary>
public abstract class ResourcePalette : CommandPalette
{
    protected ResourcePalette(string name, string description, ResourceStore store, TimeProvider time) : base(name, description)
    {
        Store = store ?? throw new ArgumentNullException(nameof(store));
        Time = time ?? throw new ArgumentNullException(nameof(time));
    }

    protected ResourceStore Store { get; }

    protected TimeProvider Time { get; }

    /// <summary>Declares a command whose store errors become readable failures.</summary>
    protected void AddResourceCommand(CommandDefinition definition, CommandHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        AddCommand(definition, async (request, output, cancellationToken) =>
        {
            try
            {
                return await handler(request, output, cancellationToken);
            }
            catch (ApiErrorException e)
            {
                throw new CommandException(ErrorFromServer(e.Error), ExitCodes.CommandFailed);
            }
            catch (SelectorParseException e)
            {
                throw new CommandException($"invalid selector: {e.Message}", ExitCodes.UsageError);
            }
        });
    }

    /// <summary>The store's error as kubectl prints it.</summary>
    protected static string ErrorFromServer(ApiError error) => $"Error from server ({error.Reason}): {error.Message}";

    /// <summary>The <c>-n</c> namespace, or <c>default</c>.</summary>
    protected static string NamespaceOf(CommandRequest request) =>
        request.GetSwitch(ResourceSwitches.Namespace.Name) is { Length: > 0 } ns ? ns : ResourceSwitches.DefaultNamespace;

    /// <summary>The required object name (positional or <c>--name</c>).</summary>
    protected static string NameOf(CommandRequest request) =>
        request.GetSwitch("name") ?? throw new CommandException("a name is required", ExitCodes.UsageError);

    /// <summary>Adds <c>list</c> (with <c>-n -A -l -o -w</c>) for <paramref name="kind"/>.</summary>
    protected void AddListCommand(ResourceKind kind, string description)
    {
        ArgumentNullException.ThrowIfNull(kind);
        AddResourceCommand(new CommandDefinition("list", description, ResourceSwitches.ForList(kind.Namespaced)),
            (request, output, ct) => ListAsync(kind, request, output, ct));
    }

    /// <summary>Adds <c>describe &lt;name&gt;</c> for <paramref name="kind"/>; the details come from <see cref="DescribeDetailsAsync"/>.</summary>
    protected void AddDescribeCommand(ResourceKind kind, string description)
    {
        ArgumentNullException.ThrowIfNull(kind);
        AddResourceCommand(new CommandDefinition("describe", description, ResourceSwitches.ForDescribe(kind.Singular, kind.Namespaced)),
            (request, output, ct) => DescribeAsync(kind, request, output, ct));
    }

    /// <summary>Lists the selected objects, then with <c>-w</c> prints every change until cancelled.</summary>
    protected async Task<int> ListAsync(ResourceKind kind, CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        var allNamespaces = !kind.Namespaced || request.HasFlag(ResourceSwitches.AllNamespaces.Name);
        var filter = new ObjectFilter(kind.Kind, allNamespaces ? null : NamespaceOf(request),
            LabelSelector.Parse(request.GetSwitch(ResourceSwitches.Selector.Name)), FieldSelector.Everything);
        var list = await Store.List(filter, cancellationToken);
        var items = list.Items.OrderBy(o => o.Namespace(), StringComparer.Ordinal).ThenBy(o => o.Name(), StringComparer.Ordinal).ToList();
        var format = ResourceRendering.FormatOf(request);
        var withNamespaceColumn = kind.Namespaced && allNamespaces;
        var table = ResourceRendering.Table(kind, items, Time.GetUtcNow(), withNamespaceColumn);
        if (format == OutputFormat.Table)
        {
            if (items.Count == 0)
                await output.WriteErrorLineAsync(filter.Namespace is null ? "No resources found." : $"No resources found in {filter.Namespace} namespace.", cancellationToken);
            else
                await output.WriteTableAsync(table, cancellationToken);
        }
        else
        {
            await ResourceRendering.WriteDocumentAsync(output, format, ResourceRendering.List(kind, items, list.ResourceVersion), cancellationToken);
        }

        if (!request.HasFlag(ResourceSwitches.Watch.Name))
            return ExitCodes.Success;

        var widths = table.Columns.Select(c => c.Length).ToArray();
        foreach (var row in table.Rows)
        {
            for (var i = 0; i < widths.Length && i < row.Count; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        }
        await foreach (var change in Store.Watch(filter, list.ResourceVersion, cancellationToken))
        {
            var obj = change.Object;
            switch (format)
            {
                case OutputFormat.Table:
                    await output.WriteLineAsync(WatchLine(change.Type.WireName(), ResourceRendering.Row(kind, obj, Time.GetUtcNow(), withNamespaceColumn), widths), cancellationToken);
                    break;
                case OutputFormat.Json:
                    await output.WriteJsonAsync(new JsonObject { ["type"] = change.Type.WireName(), ["object"] = ResourceRendering.ForDisplay(kind, obj) }, cancellationToken);
                    break;
                default:
                    await output.WriteLineAsync("---\n" + ResourceRendering.ToYaml(new JsonObject { ["type"] = change.Type.WireName(), ["object"] = ResourceRendering.ForDisplay(kind, obj) }).TrimEnd('\n'), cancellationToken);
                    break;
            }
        }
        return ExitCodes.Success;
    }

    /// <summary>One watched change as a line under the list's table: the event, then the row aligned to the table.</summary>
    private static string WatchLine(string eventType, IReadOnlyList<string> row, int[] widths)
    {
        var cells = row.Select((cell, i) => i < row.Count - 1 ? cell.PadRight(i < widths.Length ? widths[i] + 2 : cell.Length + 2) : cell);
        return $"{eventType,-10}{string.Concat(cells)}".TrimEnd();
    }

    private async Task<int> DescribeAsync(ResourceKind kind, CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var ns = kind.Namespaced ? NamespaceOf(request) : "";
        var obj = await Store.Get(kind, ns, NameOf(request), cancellationToken);
        var format = ResourceRendering.FormatOf(request);
        if (format != OutputFormat.Table)
        {
            await ResourceRendering.WriteDocumentAsync(output, format, ResourceRendering.ForDisplay(kind, obj), cancellationToken);
            return ExitCodes.Success;
        }

        var text = new DescriptionBuilder();
        text.Field("Name", obj.Name());
        if (kind.Namespaced)
            text.Field("Namespace", obj.Namespace());
        text.Map("Labels", obj.Labels());
        text.Map("Annotations", kind is Domain.Secrets.SecretKind
            ? obj.Annotations().Where(a => a.Key != "kubectl.kubernetes.io/last-applied-configuration").ToDictionary()
            : obj.Annotations());
        text.Field("CreationTimestamp", obj.Metadata().GetString("creationTimestamp") ?? "<unknown>");
        if (obj.Metadata().GetString("deletionTimestamp") is { } deleting)
            text.Field("DeletionTimestamp", deleting);
        if (obj.Metadata()["ownerReferences"] is JsonArray owners && owners.Count > 0)
            text.Field("Controlled By", string.Join(", ", owners.OfType<JsonObject>().Select(o => $"{o.GetString("kind")}/{o.GetString("name")}")));
        text.Field("ResourceVersion", obj.ResourceVersion() ?? "");
        await DescribeDetailsAsync(obj, text, cancellationToken);
        await output.WriteLineAsync(text.ToString(), cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>The kind's own part of <c>describe</c>, after the common metadata.</summary>
    protected virtual Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Merge-patches an object, naming the change for its history.</summary>
    protected Task<JsonObject> MergePatchAsync(ResourceKind kind, string ns, string name, JsonObject patch, string change, CancellationToken cancellationToken) =>
        Store.Patch(kind, ns, name, PatchType.Merge, patch, Subresource.Main, change, cancellationToken);
}
