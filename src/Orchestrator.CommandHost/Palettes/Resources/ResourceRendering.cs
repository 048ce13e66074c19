using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using YamlDotNet.Serialization;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>How <c>-o</c> asks a command to print objects.</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Yaml,
}

/// <summary>
/// Prints objects as kubectl does: tables from the kind's own columns (<see cref="ResourceKind.Columns"/>),
/// or the stored objects as JSON or YAML. Every object goes through <see cref="ForDisplay"/> first,
/// so a Secret's values never leave the node.
/// </summary>
internal static class ResourceRendering
{
    /// <summary>What replaces a Secret's value: only its size is shown.</summary>
    public static string RedactedValue(int bytes) => $"<redacted: {bytes} bytes>";

    private static readonly ISerializer Yaml = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    public static OutputFormat FormatOf(CommandRequest request) =>
        request.GetSwitch(ResourceSwitches.Output.Name)?.ToLowerInvariant() switch
        {
            "json" => OutputFormat.Json,
            "yaml" => OutputFormat.Yaml,
            _ => OutputFormat.Table,
        };

    /// <summary>
    /// The object as it may be shown: a copy, and for a Secret every value of <c>data</c> and
    /// <c>stringData</c> replaced by its size, and the last-applied annotation (which holds the
    /// values too) dropped.
    /// </summary>
    public static JsonObject ForDisplay(ResourceKind kind, JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        if (kind is not SecretKind)
            return copy;
        foreach (var field in new[] { "data", "stringData" })
        {
            if (copy[field] is not JsonObject values)
                continue;
            foreach (var key in values.Select(pair => pair.Key).ToArray())
                values[key] = RedactedValue(SecretValueSize(values[key], base64: field == "data"));
        }
        if (copy.Metadata()["annotations"] is JsonObject annotations)
            annotations.Remove("kubectl.kubernetes.io/last-applied-configuration");
        return copy;
    }

    /// <summary>The decoded size of a Secret value: <c>data</c> holds base64, <c>stringData</c> plain text.</summary>
    public static int SecretValueSize(JsonNode? value, bool base64)
    {
        var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
        if (!base64)
            return Encoding.UTF8.GetByteCount(text);
        var padding = text.EndsWith("==", StringComparison.Ordinal) ? 2 : text.EndsWith('=') ? 1 : 0;
        return Math.Max(0, text.Length / 4 * 3 - padding);
    }

    /// <summary>The kind's table (the columns kubectl shows without <c>-o wide</c>), with NAMESPACE first when asked.</summary>
    public static TableOutput Table(ResourceKind kind, IEnumerable<JsonObject> objects, DateTimeOffset now, bool withNamespace)
    {
        var columns = VisibleColumns(kind);
        var headers = columns.Select(c => c.Name.ToUpperInvariant()).ToList();
        if (withNamespace)
            headers.Insert(0, "NAMESPACE");
        var rows = objects.Select(obj => Row(kind, obj, now, withNamespace)).ToArray();
        return new TableOutput(null, headers, rows);
    }

    public static IReadOnlyList<string> Row(ResourceKind kind, JsonObject obj, DateTimeOffset now, bool withNamespace)
    {
        var cells = kind.Row(obj, now);
        var row = new List<string>();
        if (withNamespace)
            row.Add(obj.Namespace());
        for (var i = 0; i < kind.Columns.Count && i < cells.Count; i++)
        {
            if (kind.Columns[i].Priority == 0)
                row.Add(Convert.ToString(cells[i], CultureInfo.InvariantCulture) ?? "");
        }
        return row;
    }

    private static List<TableColumn> VisibleColumns(ResourceKind kind) => kind.Columns.Where(c => c.Priority == 0).ToList();

    /// <summary>A list as kubectl prints it with <c>-o json|yaml</c>: <c>{apiVersion: v1, kind: List, items: [...]}</c>.</summary>
    public static JsonObject List(ResourceKind kind, IEnumerable<JsonObject> objects, long resourceVersion) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "List",
        ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
        ["items"] = new JsonArray(objects.Select(obj => (JsonNode)ForDisplay(kind, obj)).ToArray()),
    };

    /// <summary>Writes a document (already made safe to show) as JSON or YAML.</summary>
    public static Task WriteDocumentAsync(ICommandOutput output, OutputFormat format, JsonNode document, CancellationToken cancellationToken) =>
        format == OutputFormat.Yaml
            ? output.WriteLineAsync(ToYaml(document).TrimEnd('\n'), cancellationToken)
            : output.WriteJsonAsync(document, cancellationToken);

    /// <summary>The document as YAML (block style, strings quoted only where YAML would misread them).</summary>
    public static string ToYaml(JsonNode? document) => Yaml.Serialize(ToPlain(document));

    private static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(pair => pair.Key, pair => ToPlain(pair.Value), StringComparer.Ordinal),
        JsonArray array => array.Select(ToPlain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.GetLong() is { } whole ? whole : double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture),
            _ => null,
        },
        _ => null,
    };

    /// <summary><c>deployment.apps/web</c>, <c>pod/web-1</c>: how kubectl names an object in its messages.</summary>
    public static string Reference(ResourceKind kind, string name) =>
        kind.Group.Length == 0 ? $"{kind.Singular}/{name}" : $"{kind.Singular}.{kind.Group}/{name}";
}
