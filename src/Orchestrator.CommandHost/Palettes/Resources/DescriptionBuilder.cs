using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// The text of a <c>describe</c>, laid out as kubectl lays it out: <c>Label:  value</c> lines with
/// the values aligned, nested sections indented by two spaces, maps one pair per line.
/// </summary>
public sealed class DescriptionBuilder
{
    private const int ValueColumn = 20;
    private readonly StringBuilder _text = new();

    /// <summary><c>Label:  value</c> at <paramref name="indent"/> levels.</summary>
    public DescriptionBuilder Field(string label, string value, int indent = 0)
    {
        ArgumentNullException.ThrowIfNull(label);
        var prefix = new string(' ', indent * 2) + (label.Length == 0 ? "" : label + ":");
        _text.Append(prefix.PadRight(Math.Max(ValueColumn, prefix.Length + 2))).Append(value).Append('\n');
        return this;
    }

    /// <summary>A heading (<c>Containers:</c>) for the indented lines after it.</summary>
    public DescriptionBuilder Section(string label, int indent = 0)
    {
        _text.Append(' ', indent * 2).Append(label).Append(":\n");
        return this;
    }

    /// <summary>A plain line at <paramref name="indent"/> levels.</summary>
    public DescriptionBuilder Line(string text, int indent = 0)
    {
        _text.Append(' ', indent * 2).Append(text).Append('\n');
        return this;
    }

    /// <summary>A map: <c>&lt;none&gt;</c> when empty, else <c>key=value</c> pairs one per line, aligned.</summary>
    public DescriptionBuilder Map(string label, IReadOnlyDictionary<string, string> values, int indent = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
            return Field(label, "<none>", indent);
        var first = true;
        foreach (var (key, value) in values.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            Field(first ? label : "", $"{key}={value}", indent);
            first = false;
        }
        return this;
    }

    /// <summary><c>Selector:  key=value,...</c> from a label selector's matchLabels, <c>&lt;none&gt;</c> without any.</summary>
    public DescriptionBuilder Selector(JsonNode? selector) =>
        Field("Selector", ObjectMeta.StringMap(selector?["matchLabels"]) is { Count: > 0 } labels
            ? string.Join(",", labels.Select(pair => $"{pair.Key}={pair.Value}"))
            : "<none>");

    /// <summary>A <c>Containers:</c> section of a pod template's spec: each container's name and image.</summary>
    public DescriptionBuilder Containers(JsonNode? podSpec, int indent)
    {
        Section("Containers", indent);
        foreach (var container in (podSpec?["containers"] as JsonArray)?.OfType<JsonObject>() ?? [])
            Field(container.GetString("name") ?? "", container.GetString("image") ?? "", indent + 1);
        return this;
    }

    public override string ToString() => _text.ToString().TrimEnd('\n');
}
